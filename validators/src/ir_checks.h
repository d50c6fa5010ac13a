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

}  // namespace jitscope
