#include "reference_alignment.h"

#include <torch/csrc/jit/ir/ir.h>

#include <fmt/format.h>

#include <set>
#include <unordered_map>

#include "jitscope/inspector/ir_text.h"
#include "jitscope/inspector/source_location.h"

namespace jitscope {
namespace {

using torch::jit::Node;
using torch::jit::Value;

enum : unsigned { kData = 1, kShape = 2, kTraining = 4 };

// What a value of the reference graph is computed from (Note [Value flags]
// in source_analysis.cpp, here on IR instead of Python).
class DependenceOf {
 public:
  unsigned operator()(const Value* value) {
    auto it = memo_.find(value);
    if (it != memo_.end()) return it->second;
    memo_[value] = 0;  // cycles through loop-carried values
    const unsigned flags = compute(value);
    memo_[value] = flags;
    return flags;
  }

 private:
  unsigned compute(const Value* value) {
    const Node* node = value->node();
    const std::string kind = node->kind().toQualString();
    if (node->kind() == c10::prim::Param) {
      const Node* owner = node->owningBlock()->owningNode();
      if (!owner) return value->type()->cast<c10::TensorType>() ? kData : 0;
      return inputs(owner);  // a block parameter: what the If/Loop consumed
    }
    if (node->kind() == c10::prim::Constant) return 0;
    if (node->kind() == c10::prim::GetAttr) {
      if (node->s(c10::attr::name) == "training") return kTraining;
      return value->type()->cast<c10::TensorType>() ? kData : 0;
    }
    if (kind == "aten::size" || kind == "aten::len" || kind == "aten::dim" ||
        kind == "aten::numel" || kind == "prim::shape" || kind == "aten::sizes") {
      return kShape;
    }
    return inputs(node);
  }
  unsigned inputs(const Node* node) {
    unsigned flags = 0;
    for (const Value* input : node->inputs()) flags |= (*this)(input);
    return flags;
  }
  std::unordered_map<const Value*, unsigned> memo_;
};

void collectControl(const torch::jit::Block& block, std::vector<const Node*>& out) {
  for (const Node* node : block.nodes()) {
    if (node->kind() == c10::prim::If || node->kind() == c10::prim::Loop) out.push_back(node);
    for (const torch::jit::Block* sub : node->blocks()) collectControl(*sub, out);
  }
}

}  // namespace

void alignWithReference(const torch::jit::Graph& traced, const torch::jit::Graph& reference,
                        const std::function<std::string(const std::string&)>& local_path,
                        bool traced_in_training, std::vector<Finding>& out) {
  std::vector<const Node*> traced_control;
  collectControl(*traced.block(), traced_control);
  std::set<std::pair<std::string, size_t>> kept;
  for (const Node* node : traced_control) {
    const auto location = nodeSource(*node).location;
    if (location.known()) kept.emplace(local_path(location.file), location.line);
  }

  std::vector<const Node*> reference_control;
  collectControl(*reference.block(), reference_control);
  DependenceOf dependence;
  for (const Node* node : reference_control) {
    NodeSource source = nodeSource(*node);
    // Control flow inside torch's own scripted code (F.batch_norm's checks)
    // is the library's business; the IR checks cover training mode.
    // "<string>": TorchScript builtins compiled from strings, not user code.
    if (!source.location.known() || isTorchLibraryFile(source.location.file) ||
        source.location.file.front() == '<') {
      continue;
    }
    source.location.file = local_path(source.location.file);
    if (kept.count({source.location.file, source.location.line})) continue;

    const bool is_if = node->kind() == c10::prim::If;
    unsigned flags = is_if ? dependence(node->input(0))
                           : dependence(node->input(0)) | dependence(node->input(1));
    CheckId check;
    if (flags & kData) {
      check = is_if ? CheckId::kTraceDataDependentBranch : CheckId::kTraceDataDependentLoop;
    } else if (flags & kShape) {
      check = is_if ? CheckId::kTraceShapeDependentBranch : CheckId::kTraceShapeDependentLoop;
    } else if ((flags & kTraining) && traced_in_training) {
      check = CheckId::kTraceTrainingBranch;
    } else {
      continue;  // static condition or constant trip count: tracing keeps it
    }
    Finding finding(check, fmt::format("the scripted reference keeps a {} here that the trace {}",
                                       is_if ? "prim::If" : "prim::Loop",
                                       is_if ? "froze to one branch" : "unrolled"));
    finding.location = source.location;
    finding.module_path = source.module_path;
    finding.node = "(scripted reference) " + nodeLine(*node);
    finding.notes.push_back(fmt::format(
        "its {} depends on {} in the reference's IR", is_if ? "condition" : "trip count",
        (flags & kData) ? "tensor data" : (flags & kShape) ? "a tensor's shape" : "self.training"));
    out.push_back(std::move(finding));
  }
}

}  // namespace jitscope
