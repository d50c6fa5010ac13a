#include "jitscope/inspector/provenance.h"

#include <torch/csrc/jit/ir/ir.h>

namespace jitscope {

std::string_view toString(Provenance provenance) {
  switch (provenance) {
    case Provenance::kTraced:
      return "traced";
    case Provenance::kScripted:
      return "scripted";
    case Provenance::kMixed:
      return "mixed";
    case Provenance::kUnknown:
      return "unknown";
  }
  return "unknown";
}

Provenance ProvenanceEvidence::verdict() const {
  if (traced_nodes > 0 && scripted_nodes > 0) return Provenance::kMixed;
  if (traced_nodes > 0) return Provenance::kTraced;
  if (scripted_nodes > 0) return Provenance::kScripted;
  return Provenance::kUnknown;
}

void ProvenanceEvidence::add(const NodeSource& source) {
  // Prefer the user's own code as the example over torch library code.
  auto keep = [](SourceLocation& example, const SourceLocation& candidate) {
    if (!candidate.known()) return;
    if (!example.known() || (isTorchLibraryFile(example.file) &&
                             !isTorchLibraryFile(candidate.file))) {
      example = candidate;
    }
  };
  switch (source.origin) {
    case NodeOrigin::kTraced:
      ++traced_nodes;
      keep(traced_example, source.location);
      break;
    case NodeOrigin::kScripted:
      ++scripted_nodes;
      keep(scripted_example, source.location);
      break;
    case NodeOrigin::kUnknown:
      break;
  }
}

void ProvenanceEvidence::merge(const ProvenanceEvidence& other) {
  const auto traced = traced_nodes;
  const auto scripted = scripted_nodes;
  if (!traced_example.known() && other.traced_example.known()) {
    traced_example = other.traced_example;
  }
  if (!scripted_example.known() && other.scripted_example.known()) {
    scripted_example = other.scripted_example;
  }
  traced_nodes = traced + other.traced_nodes;
  scripted_nodes = scripted + other.scripted_nodes;
}

namespace {

void collect(const torch::jit::Block& block, ProvenanceEvidence& evidence) {
  for (const torch::jit::Node* node : block.nodes()) {
    evidence.add(nodeSource(*node));
    for (const torch::jit::Block* sub : node->blocks()) collect(*sub, evidence);
  }
}

}  // namespace

ProvenanceEvidence collectProvenance(const torch::jit::Graph& graph) {
  ProvenanceEvidence evidence;
  collect(*graph.block(), evidence);
  return evidence;
}

}  // namespace jitscope
