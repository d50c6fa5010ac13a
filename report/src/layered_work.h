// The work of a layered (Sugiyama) layout such as Graphviz's dot: its boxes
// plus the virtual nodes it adds where an edge spans several ranks. Shared by
// the flat bound (graph_fit.cpp) and the hierarchical one (graph_hierarchy.cpp).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace jitscope {

/// `nodes` boxes and the edges that constrain ranks (from, to): `nodes` plus,
/// per edge, the ranks it skips in a longest-path layering. A node on a
/// cycle keeps rank 0, which only underestimates.
size_t layeredWork(size_t nodes, const std::vector<std::pair<size_t, size_t>>& edges);

}  // namespace jitscope
