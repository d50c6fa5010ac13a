// Renderers for `jitscope dump --format json`.
#pragma once

#include <string>

#include "jitscope/inspector/graph_model.h"

namespace jitscope {

/// The graph as JSON: nested blocks, values with types, each node's
/// original source location and module path.
std::string renderGraphJson(const GraphModel& graph);

}  // namespace jitscope
