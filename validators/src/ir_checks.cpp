#include "ir_checks.h"

#include <torch/csrc/jit/ir/ir.h>

#include <fmt/format.h>

#include <optional>
#include <sstream>

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

std::string nodeText(const torch::jit::Node& node) {
  std::ostringstream text;
  node.print(text, 0, nullptr, false, true, false, false);
  return text.str();
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
      finding.node = nodeText(*node);
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

}  // namespace jitscope
