// Counting nodes of a graph, nested blocks included.
#pragma once

#include "jitscope/inspector/module_info.h"

namespace torch::jit {
struct Graph;
}

namespace jitscope {

/// Histogram of node kinds over `graph` and all nested blocks.
OpStats countOps(const torch::jit::Graph& graph, std::string method);

}  // namespace jitscope
