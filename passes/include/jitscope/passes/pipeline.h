// The pipeline runner: runs registered passes in order on a module and
// measures each (nodes before and after, op kinds that appeared or vanished,
// time). Instrumentation such as IR printing or output checks is a hook the
// runner calls after each pass, never code inside a pass (as MLIR's
// PassInstrumentation).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jitscope/passes/registry.h"

namespace jitscope {

/// What one pass did, measured on the inlined graphs of the pipeline's
/// methods (the code that runs, whether or not the module is frozen).
struct PassStats {
  std::string pass;
  size_t nodes_before = 0;  ///< nodes, nested blocks included
  size_t nodes_after = 0;
  std::vector<std::string> appeared;  ///< op kinds absent before, present after
  std::vector<std::string> vanished;  ///< op kinds present before, absent after
  std::map<std::string, long> count_changes;  ///< kind -> after - before, nonzero only
  double seconds = 0;  ///< the pass alone, without measurement or hooks
  bool changed = false;  ///< the printed IR differs
};

struct PipelineReport {
  std::vector<std::string> methods;  ///< the graphs the passes acted on
  size_t nodes_before = 0;
  size_t nodes_after = 0;
  std::map<std::string, size_t> ops_before;  ///< kind -> count
  std::map<std::string, size_t> ops_after;
  std::vector<PassStats> passes;
  double seconds = 0;  ///< sum of the passes' times
};

/// Called after each pass with the module as it stands (freeze replaces it).
using AfterPassHook =
    std::function<void(const PassInfo&, const torch::jit::Module&, const PassStats&)>;

struct PipelineOptions {
  /// Root methods whose graphs graph-level passes change; empty: all.
  /// Methods that a module-level pass removes (freeze keeps only forward
  /// and what the model preserves) drop out of the list.
  std::vector<std::string> methods;
  /// Named in errors: "pass 'x' failed on 'PATH': ...".
  std::string model_path;
  std::vector<AfterPassHook> after_pass;
};

/// Runs `passes` on `module` (replaced by module-level passes). Before each
/// pass its needs are checked (UsageError "pass 'fold_frozen_conv_bn' needs
/// a frozen module; run 'freeze' before it"); after each, every graph is
/// linted. A LibTorch error inside a pass is an InputError naming the pass.
PipelineReport runPipeline(torch::jit::Module& module,
                           const std::vector<const PassInfo*>& passes,
                           const PipelineOptions& options);

/// Whether `module` is frozen (no `training` attribute left, PyTorch's own
/// test) and whether it is in eval mode.
bool isFrozen(const torch::jit::Module& module);
bool isEvalMode(const torch::jit::Module& module);

/// Which passes an IR printing hook prints after.
enum class IrPrintWhen {
  kNamed,    ///< after the passes named (--print-ir-after NAME)
  kAll,      ///< after every pass (--print-ir-after-all)
  kChanged,  ///< after every pass that changed the IR (--print-ir-after-change)
};

/// An after-pass hook printing the graph of each root method under a banner
/// comment, "# -----// IR Dump After dce //----- #" (other methods than
/// forward add "(method 'name')"), so a dump parses again as IR. `sink`
/// receives the text.
AfterPassHook printIrAfter(IrPrintWhen when, std::vector<std::string> names,
                           std::function<void(const std::string&)> sink);

}  // namespace jitscope
