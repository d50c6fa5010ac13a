// Was a method traced, scripted, or both? Decided per node from the source
// each node records (see source_location.h), then summed per method, per
// submodule and for the whole model.
#pragma once

#include <cstddef>
#include <string_view>

#include "jitscope/inspector/source_location.h"

namespace torch::jit {
struct Graph;
}

namespace jitscope {

enum class Provenance { kUnknown, kTraced, kScripted, kMixed };

/// "unknown", "traced", "scripted", "mixed".
std::string_view toString(Provenance provenance);

/// Node counts behind a provenance verdict, with one example location of
/// each origin so a reader can check the claim.
struct ProvenanceEvidence {
  size_t traced_nodes = 0;
  size_t scripted_nodes = 0;
  SourceLocation traced_example;
  SourceLocation scripted_example;

  Provenance verdict() const;
  void add(const NodeSource& source);
  void merge(const ProvenanceEvidence& other);
};

/// Evidence from every node of `graph`, nested blocks included.
ProvenanceEvidence collectProvenance(const torch::jit::Graph& graph);

}  // namespace jitscope
