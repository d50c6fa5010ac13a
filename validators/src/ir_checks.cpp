#include "ir_checks.h"

#include <torch/csrc/jit/ir/ir.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <optional>

#include "jitscope/inspector/ir_text.h"
#include "jitscope/inspector/source_location.h"

namespace jitscope {
namespace {

// The constant boolean feeding input `index` of `node`, if it is one.
std::optional<bool> constantBool(const torch::jit::Node& node, size_t index) {
  if (index >= node.inputs().size()) return std::nullopt;
  const auto value = torch::jit::toIValue(node.input(index));
  if (!value || !value->isBool()) return std::nullopt;
  return value->toBool();
}

void walk(const torch::jit::Block& block, std::vector<Finding>& out) {
  for (const torch::jit::Node* node : block.nodes()) {
    const std::string kind = node->kind().toQualString();
    std::string check;
    std::string message;
    // Dropout variants: (input, p, train). aten::batch_norm: `training` is
    // input 5. (instance_norm uses input statistics in both modes.)
    if ((kind == "aten::dropout" || kind == "aten::feature_dropout" ||
         kind == "aten::alpha_dropout" || kind == "aten::feature_alpha_dropout" ||
         kind == "aten::dropout_") &&
        constantBool(*node, 2).value_or(false)) {
      check = "trace-random-op";
      message = "dropout was traced in training mode: the traced model drops activations at "
                "random in every call, even after .eval()";
    } else if (kind == "aten::batch_norm" && constantBool(*node, 5).value_or(false)) {
      check = "trace-training-branch";
      message = "batch norm was traced in training mode: the traced model normalizes with "
                "each batch's statistics and updates its running stats, even after .eval()";
    }
    if (!check.empty()) {
      const NodeSource source = nodeSource(*node);
      Finding finding;
      finding.check = check;
      finding.severity = Severity::kWarning;
      finding.message = message;
      finding.location = source.location;
      finding.module_path = source.module_path;
      finding.node = nodeLine(*node);
      finding.notes.push_back("call model.eval() before torch.jit.trace");
      out.push_back(std::move(finding));
    }
    for (const torch::jit::Block* sub : node->blocks()) walk(*sub, out);
  }
}

}  // namespace

void checkTrainingModeOps(const torch::jit::Graph& graph, std::vector<Finding>& out) {
  walk(*graph.block(), out);
}

namespace {

struct LineOps {
  SourceLocation location;
  std::string module_path;
  std::vector<std::string> kinds;
  std::string first_text;
};

bool isBookkeeping(const std::string& kind) {
  return kind == "prim::Constant" || kind == "prim::GetAttr" || kind == "prim::ListConstruct" ||
         kind == "prim::TupleConstruct" || kind == "prim::ListUnpack" ||
         kind == "prim::TupleUnpack" || kind == "prim::NumToTensor" || kind == "aten::Int" ||
         kind == "aten::size";
}

// The smallest period p (>= 2 ops) such that `kinds` is k >= 2 copies of its
// first p entries; 0 when there is none. One-op periods are skipped: a line
// like `a + b + c` records aten::add twice without any loop.
size_t repetitionPeriod(const std::vector<std::string>& kinds) {
  for (size_t p = 2; p * 2 <= kinds.size(); ++p) {
    if (kinds.size() % p != 0) continue;
    bool periodic = true;
    for (size_t i = p; i < kinds.size() && periodic; ++i) periodic = kinds[i] == kinds[i - p];
    if (periodic) return p;
  }
  return 0;
}

void collect(const torch::jit::Block& block, std::map<std::string, LineOps>& lines,
             std::vector<Finding>& out) {
  for (const torch::jit::Node* node : block.nodes()) {
    const NodeSource source = nodeSource(*node);
    if (source.origin != NodeOrigin::kTraced || !source.location.known() ||
        isTorchLibraryFile(source.location.file)) {
      continue;
    }
    const std::string kind = node->kind().toQualString();
    // Python scalars in tensor arithmetic (x * 0.5) are recorded as 0-dim
    // constants; only constants with elements of their own are values
    // computed outside the graph.
    const auto constant = node->kind() == c10::prim::Constant ? torch::jit::toIValue(node->output())
                                                              : c10::nullopt;
    if (constant && constant->isTensor() && constant->toTensor().dim() > 0) {
      Finding finding;
      finding.check = "trace-baked-tensor";
      finding.severity = Severity::kWarning;
      finding.message = "a tensor constant was recorded here: a value computed in Python (a "
                        "torch.tensor(...) of numbers or sizes, or a captured tensor) is baked "
                        "into the trace";
      finding.location = source.location;
      finding.module_path = source.module_path;
      finding.node = nodeLine(*node);
      out.push_back(std::move(finding));
      continue;
    }
    if (isBookkeeping(kind)) continue;
    const std::string key = source.module_path + "\n" + source.location.str();
    LineOps& ops = lines[key];
    if (ops.kinds.empty()) {
      ops.location = source.location;
      ops.module_path = source.module_path;
      ops.first_text = nodeLine(*node);
    }
    ops.kinds.push_back(kind);
  }
}

}  // namespace

void checkTraceWithoutSource(const torch::jit::Graph& graph, std::vector<Finding>& out) {
  std::map<std::string, LineOps> lines;
  collect(*graph.block(), lines, out);
  for (const auto& [key, ops] : lines) {
    const size_t period = repetitionPeriod(ops.kinds);
    if (period == 0) continue;
    Finding finding;
    finding.check = "trace-unrolled-loop";
    finding.severity = Severity::kWarning;
    finding.message = fmt::format(
        "the same {} ops were recorded {} times from this line: a loop around it was unrolled "
        "for the example",
        period, ops.kinds.size() / period);
    finding.location = ops.location;
    finding.module_path = ops.module_path;
    finding.node = ops.first_text;
    finding.notes.push_back(fmt::format("repeated ops: {}", fmt::join(std::vector<std::string>(
        ops.kinds.begin(), ops.kinds.begin() + static_cast<long>(period)), ", ")));
    finding.notes.push_back("if the trip count depends on the input's size or data, the traced "
                            "model runs the wrong number of iterations; pass --source-root to "
                            "see the loop itself");
    out.push_back(std::move(finding));
  }
}

}  // namespace jitscope
