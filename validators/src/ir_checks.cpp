#include "ir_checks.h"

#include <torch/csrc/jit/api/module.h>
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

std::optional<double> constantDouble(const torch::jit::Node& node, size_t index) {
  if (index >= node.inputs().size()) return std::nullopt;
  const auto value = torch::jit::toIValue(node.input(index));
  if (!value || !(value->isDouble() || value->isInt())) return std::nullopt;
  return value->isDouble() ? value->toDouble() : static_cast<double>(value->toInt());
}

// Note [Training mode or on purpose]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// aten::dropout(x, p, train=True) and aten::batch_norm(..., training=True)
// come from two kinds of code:
//  - nn.Dropout / nn.BatchNorm traced while the model was in training mode
//    (the common mistake): the module's `training` flag decided the
//    constant, and the archive still records `training = True` for it and
//    for the root;
//  - F.dropout(x, p, training=True) or F.batch_norm(..., training=True)
//    written on purpose (Monte-Carlo dropout), traced in eval mode: the
//    module whose scope holds the node records `training = False`. Eager
//    runs the same random op on every call, and so does the trace: nothing
//    was lost.
// A submodule left in training mode under an eval-mode root (model.eval();
// model.drop.train()) is the same choice made with a module. So: a warning
// only when the node's module and the root both say training; a note
// otherwise. Dropout with p == 0 changes nothing and is not reported. What
// the archive cannot show: a model traced in training mode and switched to
// eval() before saving records training = False, and reads as on purpose.
struct ModeOf {
  std::map<std::string, bool> training;  // module path -> `training` attribute

  explicit ModeOf(const torch::jit::Module& root) {
    for (const auto& entry : root.named_modules()) training[entry.name] = entry.value.is_training();
  }
  bool root() const { return at(""); }
  // The deepest recorded module on `path` ("a.b.c", then "a.b", ...).
  bool at(std::string path) const {
    for (;;) {
      const auto it = training.find(path);
      if (it != training.end()) return it->second;
      if (path.empty()) return true;
      const auto dot = path.rfind('.');
      path = dot == std::string::npos ? "" : path.substr(0, dot);
    }
  }
};

void walk(const torch::jit::Block& block, const ModeOf& mode, std::vector<Finding>& out) {
  for (const torch::jit::Node* node : block.nodes()) {
    const std::string kind = node->kind().toQualString();
    std::string check;
    std::string what;
    // Dropout variants: (input, p, train). aten::batch_norm: `training` is
    // input 5. (instance_norm uses input statistics in both modes.)
    if ((kind == "aten::dropout" || kind == "aten::feature_dropout" ||
         kind == "aten::alpha_dropout" || kind == "aten::feature_alpha_dropout" ||
         kind == "aten::dropout_") &&
        constantBool(*node, 2).value_or(false) && constantDouble(*node, 1).value_or(1.0) != 0.0) {
      check = "trace-random-op";
      what = "dropout";
    } else if (kind == "aten::batch_norm" && constantBool(*node, 5).value_or(false)) {
      check = "trace-training-branch";
      what = "batch norm";
    }
    if (!check.empty()) {
      const NodeSource source = nodeSource(*node);
      Finding finding;
      finding.check = check;
      finding.location = source.location;
      finding.module_path = source.module_path;
      finding.node = nodeLine(*node);
      const bool module_training = mode.at(source.module_path);
      if (module_training && mode.root()) {
        finding.severity = Severity::kWarning;
        finding.message =
            what == "dropout"
                ? "dropout was traced in training mode: the traced model drops activations at "
                  "random in every call, even after .eval()"
                : "batch norm was traced in training mode: the traced model normalizes with "
                  "each batch's statistics and updates its running stats, even after .eval()";
        finding.notes.push_back("call model.eval() before torch.jit.trace");
      } else {
        finding.severity = Severity::kNote;
        finding.message = fmt::format(
            "{} runs in training mode on purpose: the trace keeps it active, as eager does",
            what);
        finding.notes.push_back(
            module_training
                ? fmt::format("module '{}' was left in training mode while the model is in eval "
                              "mode (the archive records training = True for it only)",
                              source.module_path)
                : fmt::format("the {} records training = False, so training=True was passed "
                              "explicitly ({})",
                              source.module_path.empty() ? "model"
                                                         : "module '" + source.module_path + "'",
                              what == "dropout"
                                  ? "F.dropout(x, p, training=True), e.g. for Monte-Carlo sampling"
                                  : "F.batch_norm(..., training=True): each batch's own statistics"));
      }
      out.push_back(std::move(finding));
    }
    for (const torch::jit::Block* sub : node->blocks()) walk(*sub, mode, out);
  }
}

}  // namespace

void checkTrainingModeOps(const torch::jit::Module& module, const torch::jit::Graph& graph,
                          std::vector<Finding>& out) {
  walk(*graph.block(), ModeOf(module), out);
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
