// The hierarchical layout: each module's interior is laid out on its own and
// the parent sees the module as one box with ports (one per value entering
// along its top, one per value leaving along its bottom), instead of one
// Graphviz run over the whole graph. Modules with the same structure (every
// BertLayer, every BasicBlock of a stage: same ops, same wiring, labels that
// differ only in digits) are laid out once and the layout reused. `if`
// branches and loop bodies stay nested clusters inside their module's layout.
// Edges are routed through the ports and drawn as one curve per use.
//
// A module whose box would sit on a cycle of its parent's layout (a ReLU
// module called twice, with work between the calls) cannot be one box with
// inputs on top and outputs below: it is laid out inline, as a cluster of
// its parent, as the flat drawing does.
#pragma once

#include <cstddef>
#include <vector>

#include "jitscope/report/graph_layout.h"
#include "jitscope/report/graph_view.h"

namespace jitscope {

struct HierarchyStats {
  size_t parts = 0;    ///< view roots and modules laid out as boxes
  size_t layouts = 0;  ///< engine runs: distinct parts
  size_t inlined = 0;  ///< modules laid out inline (on a cycle of their parent)
  size_t largest = 0;  ///< boxes, ports and module boxes of the biggest run
};

/// Where every box, frame and edge of `views` goes (side by side when there
/// are several), for renderDot to write and Graphviz to draw as given.
DrawingPlacement layOutHierarchically(const std::vector<GraphView>& views,
                                      const DotLayoutEngine& engine,
                                      HierarchyStats* stats = nullptr);

/// The layered-layout work (boxes plus virtual nodes, layered_work.h) of the
/// engine runs layOutHierarchically would make for `view`: the distinct
/// parts only, so identical layers count once (FitMeasure::kPartWork).
size_t hierarchicalLayoutWork(const GraphView& view);

}  // namespace jitscope
