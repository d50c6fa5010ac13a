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
    std::optional<CheckId> check;
    std::string what;
    // Dropout variants: (input, p, train). aten::batch_norm: `training` is
    // input 5. (instance_norm uses input statistics in both modes.)
    if ((kind == "aten::dropout" || kind == "aten::feature_dropout" ||
         kind == "aten::alpha_dropout" || kind == "aten::feature_alpha_dropout" ||
         kind == "aten::dropout_") &&
        constantBool(*node, 2).value_or(false) && constantDouble(*node, 1).value_or(1.0) != 0.0) {
      check = CheckId::kTraceRandomOp;
      what = "dropout";
    } else if (kind == "aten::batch_norm" && constantBool(*node, 5).value_or(false)) {
      check = CheckId::kTraceTrainingBranch;
      what = "batch norm";
    }
    if (check) {
      const NodeSource source = nodeSource(*node);
      Finding finding(*check, "");
      finding.location = source.location;
      finding.module_path = source.module_path;
      finding.node = nodeLine(*node);
      const bool module_training = mode.at(source.module_path);
      if (module_training && mode.root()) {
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
  std::vector<const torch::jit::Node*> nodes;  ///< one per entry of `kinds`
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
      Finding finding(CheckId::kTraceBakedTensor,
                      "a tensor constant was recorded here: a value computed in Python (a "
                      "torch.tensor(...) of numbers or sizes, or a captured tensor) is baked "
                      "into the trace");
      finding.location = source.location;
      finding.module_path = source.module_path;
      finding.node = nodeLine(*node);
      out.push_back(std::move(finding));
      continue;
    }
    if (isBookkeeping(kind)) continue;
    // Keyed by the whole recorded stack, not only the innermost line: a
    // module called from two lines of its parent (or a helper called twice)
    // records the same ops at the same line, but under different call
    // sites. An unrolled loop repeats the same stack.
    std::string key = source.module_path + "\n" + source.location.str();
    for (const auto& frame : source.stack) key += fmt::format("\n{}:{}", frame.file, frame.line);
    LineOps& ops = lines[key];
    if (ops.kinds.empty()) {
      ops.location = source.location;
      ops.module_path = source.module_path;
      ops.first_text = nodeLine(*node);
    }
    ops.kinds.push_back(kind);
    ops.nodes.push_back(node);
  }
}

// Note [Loop or repeated call]
// ~~~~~~~~~~~~~~~~~~~~~~~~~~~~
// k copies of the same ops under one stack come from a loop, or from one
// line that calls the same helper several times (`q, k, v = self._heads(a),
// self._heads(b), self._heads(c)`). A loop leaves one of three marks, a
// repeated call none:
//  - carried: a copy reads a value an earlier copy made (acc = acc * 0.5 + ...,
//    a recurrent state);
//  - indexed: the copies differ in a constant input (x[i] is
//    aten::select(x, 0, i) with i = 0, 1, 2, ...);
//  - pieces: the copies read different outputs of one node (for t in
//    x.unbind(0), for a, b in zip(*x.split(...))).
// Returns which, or "" for a repeated call: not reported.
std::string loopEvidence(const std::vector<const torch::jit::Node*>& nodes, size_t period) {
  const size_t copies = nodes.size() / period;
  std::map<const torch::jit::Node*, size_t> copy_of;
  for (size_t i = 0; i < nodes.size(); ++i) copy_of[nodes[i]] = i / period;
  for (size_t i = period; i < nodes.size(); ++i) {
    for (const torch::jit::Value* input : nodes[i]->inputs()) {
      const auto it = copy_of.find(input->node());
      if (it != copy_of.end() && it->second < i / period) return "each repetition reads the one before it";
    }
  }
  for (size_t j = 1; j < copies; ++j) {
    for (size_t i = 0; i < period; ++i) {
      const torch::jit::Node* first = nodes[i];
      const torch::jit::Node* other = nodes[j * period + i];
      if (first->inputs().size() != other->inputs().size()) continue;
      for (size_t n = 0; n < first->inputs().size(); ++n) {
        const torch::jit::Value* a = first->input(n);
        const torch::jit::Value* b = other->input(n);
        if (a == b) continue;
        const auto ca = torch::jit::toIValue(a);
        const auto cb = torch::jit::toIValue(b);
        if (ca && cb && !(*ca == *cb)) return "the repetitions differ in a constant (an index)";
        if (a->node() == b->node()) return "the repetitions read different pieces of one value";
      }
    }
  }
  return "";
}

}  // namespace

void checkTraceWithoutSource(const torch::jit::Graph& graph, std::vector<Finding>& out, const SettingNames& names) {
  std::map<std::string, LineOps> lines;
  collect(*graph.block(), lines, out);
  for (const auto& [key, ops] : lines) {
    const size_t period = repetitionPeriod(ops.kinds);
    if (period == 0) continue;
    const std::string evidence = loopEvidence(ops.nodes, period);
    if (evidence.empty()) continue;  // the same helper called several times
    Finding finding(CheckId::kTraceUnrolledLoop,
                    fmt::format("the same {} ops were recorded {} times from this line: a loop around "
                                "it was unrolled for the example",
                                period, ops.kinds.size() / period));
    finding.location = ops.location;
    finding.module_path = ops.module_path;
    finding.node = ops.first_text;
    finding.notes.push_back(fmt::format("repeated ops: {}", fmt::join(std::vector<std::string>(
        ops.kinds.begin(), ops.kinds.begin() + static_cast<long>(period)), ", ")));
    finding.notes.push_back("a loop, not a repeated call: " + evidence);
    finding.notes.push_back(fmt::format("if the trip count depends on the input's size or data, the traced "
                                        "model runs the wrong number of iterations; pass {} to see the loop itself",
                                        nameOf(names, Setting::kSourceRoot)));
    out.push_back(std::move(finding));
  }
}

}  // namespace jitscope
