// Private: the table built from passes.def, shared by torch_passes.cpp
// (which knows the LibTorch functions) and registry.cpp (lookup, presets).
#pragma once

#include <vector>

#include "jitscope/passes/registry.h"

namespace jitscope::detail {

/// The registry: passes.def's rows, then test-only passes.
std::vector<PassInfo>& passTable();

}  // namespace jitscope::detail
