// Audit checks that need only the traced graph: module behaviour fixed by
// the mode (train/eval) the model was traced in.
#pragma once

#include <vector>

#include "jitscope/core/errors.h"
#include "jitscope/validators/finding.h"

namespace torch::jit {
struct Graph;
struct Module;
}  // namespace torch::jit

namespace jitscope {

/// Dropout (p > 0) with train=True and batch norm with training=True in the
/// traced graph of `module`. Each is judged by the `training` attribute the
/// archive records for the module whose scope the node belongs to, and for
/// the root (Note [Training mode or on purpose] in ir_checks.cpp): a warning
/// when the model was traced in training mode, a note when an eval-mode
/// model asks for it on purpose (F.dropout(x, p, training=True)).
void checkTrainingModeOps(const torch::jit::Module& module,
                          const torch::jit::Graph& inlined_traced_graph,
                          std::vector<Finding>& out);

/// Evidence for when the Python source cannot be read: the same sequence of
/// ops recorded k >= 2 times from one line of one module instance under one
/// recorded call stack (an unrolled loop), and tensor constants recorded at a line of user code
/// (values baked in from the example). `names`: how the advice names the
/// source-root setting.
void checkTraceWithoutSource(const torch::jit::Graph& inlined_traced_graph, std::vector<Finding>& out,
                             const SettingNames& names = {});

}  // namespace jitscope
