// GraphView -> DOT text. Styling lives here, layout in Graphviz; no
// Graphviz library is needed to produce or test the DOT.
#pragma once

#include <string>
#include <vector>

#include "jitscope/report/graph_layout.h"
#include "jitscope/report/graph_view.h"

namespace jitscope {

/// DOT for one view, or for several side by side (a traced model beside its
/// scripted reference), each in a cluster titled with the view's title.
/// Node ids are the views' stable ids, which SVG output keeps as element ids.
/// With `placement` (layOutHierarchically), every box, frame and edge carries
/// its position, for Graphviz to draw as given (GraphvizLayout::kGiven).
std::string renderDot(const std::vector<GraphView>& views,
                      const DrawingPlacement* placement = nullptr);

}  // namespace jitscope
