// Where a layout engine put things, as plain data: boxes, cluster frames and
// edge curves in Graphviz's coordinates (points, y growing upwards). The
// hierarchical layout (graph_hierarchy.h) composes these from one layout per
// module; renderDot (graph_dot.h) writes them back as pos/bb attributes for
// Graphviz to draw as given. Nothing here links Graphviz.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jitscope {

struct LayoutPoint {
  double x = 0;
  double y = 0;
};

struct LayoutBox {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;  ///< lower left, upper right
  double width() const { return x1 - x0; }
  double height() const { return y1 - y0; }
};

struct NodePlacement {
  LayoutPoint center;
  double width = 0;  ///< points
  double height = 0;
};

struct ClusterPlacement {
  LayoutBox box;
  std::optional<LayoutPoint> label;  ///< centre of the title
};

struct EdgePlacement {
  /// Cubic Bezier control points: 3n+1 of them.
  std::vector<LayoutPoint> curve;
  std::optional<LayoutPoint> head;  ///< the arrow's tip, when it has one
  std::optional<LayoutPoint> label;
};

/// One engine run: nodes and clusters by name, edges by their `id` attribute.
struct DotLayout {
  LayoutBox box;
  std::optional<LayoutPoint> label;  ///< the graph's title
  std::map<std::string, NodePlacement> nodes;
  std::map<std::string, ClusterPlacement> clusters;
  std::map<std::string, EdgePlacement> edges;
};

/// Lays out DOT text (Graphviz's `dot` in production: layOutDot in
/// graphviz_render.h). Throws on a graph it cannot lay out.
using DotLayoutEngine = std::function<DotLayout(const std::string& dot)>;

/// A whole drawing placed: what renderDot writes as pos/width/height/bb/lp.
/// Keys are the views' node ids, cluster ids, and edge indices per view.
struct DrawingPlacement {
  LayoutBox box;
  std::optional<LayoutPoint> label;
  std::map<std::string, NodePlacement> nodes;
  std::map<std::string, ClusterPlacement> clusters;
  std::vector<std::vector<EdgePlacement>> edges;  ///< [view][edge]
};

}  // namespace jitscope
