// Audit checks that need only the traced graph: module behaviour fixed by
// the mode (train/eval) the model was traced in.
#pragma once

#include <vector>

#include "jitscope/validators/finding.h"

namespace torch::jit {
struct Graph;
}

namespace jitscope {

void checkTrainingModeOps(const torch::jit::Graph& inlined_traced_graph,
                          std::vector<Finding>& out);

/// Evidence for when the Python source cannot be read: the same sequence of
/// ops recorded k >= 2 times from one line of one module instance (an
/// unrolled loop), and tensor constants recorded at a line of user code
/// (values baked in from the example).
void checkTraceWithoutSource(const torch::jit::Graph& inlined_traced_graph,
                             std::vector<Finding>& out);

}  // namespace jitscope
