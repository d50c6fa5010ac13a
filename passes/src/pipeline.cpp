#include "jitscope/passes/pipeline.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "jitscope/core/errors.h"
#include "jitscope/inspector/graph_stats.h"
#include "jitscope/inspector/ir_text.h"
#include "jitscope/inspector/model.h"

namespace jitscope {
namespace {

using torch::jit::Graph;
using torch::jit::Module;

// The measured shape of the code that runs: the inlined graphs of `methods`.
struct Snapshot {
  size_t nodes = 0;
  std::map<std::string, size_t> ops;
  std::string text;  ///< printed IR, to tell whether anything changed
};

Snapshot snapshot(const Module& module, const std::vector<std::string>& methods) {
  Snapshot shot;
  for (const auto& method : methods) {
    const auto graph = methodGraph(module, method, GraphForm::kInlined);
    const OpStats stats = countOps(*graph, method);
    shot.nodes += stats.nodes;
    for (const auto& [kind, count] : stats.ops) shot.ops[kind] += count;
    shot.text += printGraph(*graph, SourceComments::kNone);
  }
  return shot;
}

PassStats compare(const std::string& pass, const Snapshot& before, const Snapshot& after) {
  PassStats stats;
  stats.pass = pass;
  stats.nodes_before = before.nodes;
  stats.nodes_after = after.nodes;
  stats.changed = before.text != after.text;
  std::map<std::string, long> delta;
  for (const auto& [kind, count] : before.ops) delta[kind] -= static_cast<long>(count);
  for (const auto& [kind, count] : after.ops) delta[kind] += static_cast<long>(count);
  for (const auto& [kind, change] : delta) {
    if (change == 0) continue;
    stats.count_changes[kind] = change;
    if (before.ops.count(kind) == 0) stats.appeared.push_back(kind);
    if (after.ops.count(kind) == 0) stats.vanished.push_back(kind);
  }
  return stats;
}

// Installs `graph` as the root module's `method` (Canonicalize returns a new
// graph rather than changing its argument). The same replacement freezing
// does: drop the old function from the class and the compilation unit.
void replaceMethodGraph(Module& module, const std::string& method, std::shared_ptr<Graph> graph) {
  const c10::QualifiedName qualname = module.get_method(method).function().qualname();
  auto unit = module._ivalue()->compilation_unit();
  module.type()->unsafeRemoveMethod(method);
  unit->unsafeRemoveMethod(qualname);
  module.type()->addMethod(unit->create_function(qualname, std::move(graph)));
}

std::string needName(PassNeeds need) {
  return need == PassNeeds::kFrozen ? "a frozen module" : "the module in eval mode";
}

std::string providerOf(PassNeeds need) {
  for (const auto& pass : registeredPasses()) {
    if (has(pass.provides, need)) return pass.name;
  }
  return "?";
}

void checkNeeds(const PassInfo& pass, PassNeeds state) {
  for (const PassNeeds need : {PassNeeds::kEvalMode, PassNeeds::kFrozen}) {
    if (has(pass.needs, need) && !has(state, need)) {
      throw UsageError(fmt::format("pass '{}' needs {}; run '{}' before it", pass.name,
                                   needName(need), providerOf(need)));
    }
  }
}

void runOne(const PassInfo& pass, Module& module, const std::vector<std::string>& methods) {
  if (pass.level == PassLevel::kModule) {
    pass.module_pass(module);
    return;
  }
  for (const auto& method : methods) {
    std::shared_ptr<Graph> graph = module.get_method(method).graph();
    const Graph* original = graph.get();
    pass.graph_pass(graph);
    if (graph.get() != original) replaceMethodGraph(module, method, graph);
  }
}

std::vector<std::string> presentMethods(const Module& module, const std::vector<std::string>& wanted) {
  const auto all = methodNames(module);
  if (wanted.empty()) return all;
  std::vector<std::string> kept;
  for (const auto& name : wanted) {
    if (std::find(all.begin(), all.end(), name) != all.end()) kept.push_back(name);
  }
  return kept;
}

}  // namespace

bool isFrozen(const Module& module) { return !module.hasattr("training"); }

bool isEvalMode(const Module& module) { return isFrozen(module) || !module.is_training(); }

PipelineReport runPipeline(Module& module, const std::vector<const PassInfo*>& passes,
                           const PipelineOptions& options) {
  PipelineReport report;
  for (const auto& name : options.methods) methodGraph(module, name, GraphForm::kAsSaved);  // UsageError if absent
  std::vector<std::string> methods = presentMethods(module, options.methods);

  PassNeeds state = PassNeeds::kNone;
  if (isEvalMode(module)) state = state | PassNeeds::kEvalMode;
  if (isFrozen(module)) state = state | PassNeeds::kFrozen;
  for (const PassInfo* pass : passes) {  // refuse before anything runs
    checkNeeds(*pass, state);
    state = state | pass->provides;
  }

  Snapshot before = snapshot(module, methods);
  report.nodes_before = before.nodes;
  report.ops_before = before.ops;
  for (const PassInfo* pass : passes) {
    const auto start = std::chrono::steady_clock::now();
    try {
      runOne(*pass, module, methods);
      methods = presentMethods(module, methods);
      for (const auto& method : methods) module.get_method(method).graph()->lint();
    } catch (const c10::Error& e) {
      throw InputError(options.model_path, fmt::format("pass '{}' failed: {}", pass->name,
                                                       firstLine(e.what_without_backtrace())));
    }
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    Snapshot after = snapshot(module, methods);
    PassStats stats = compare(pass->name, before, after);
    stats.seconds = elapsed.count();
    report.seconds += stats.seconds;
    for (const auto& hook : options.after_pass) hook(*pass, module, stats);
    report.passes.push_back(std::move(stats));
    before = std::move(after);
  }
  report.methods = methods;
  report.nodes_after = before.nodes;
  report.ops_after = before.ops;
  return report;
}

AfterPassHook printIrAfter(IrPrintWhen when, std::vector<std::string> names,
                           std::function<void(const std::string&)> sink) {
  return [when, names = std::move(names), sink = std::move(sink)](
             const PassInfo& pass, const Module& module, const PassStats& stats) {
    const bool wanted =
        when == IrPrintWhen::kAll || (when == IrPrintWhen::kChanged && stats.changed) ||
        (when == IrPrintWhen::kNamed &&
         std::find(names.begin(), names.end(), pass.name) != names.end());
    if (!wanted) return;
    std::string text;
    for (const auto& method : methodNames(module)) {
      const std::string where =
          method == "forward" ? "" : fmt::format(" (method '{}')", method);
      text += fmt::format("# -----// IR Dump After {}{} //----- #\n", pass.name, where);
      text += printGraph(*module.get_method(method).graph(), SourceComments::kNone);
      text += "\n";
    }
    sink(text);
  };
}

}  // namespace jitscope
