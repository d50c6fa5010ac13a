#include "jitscope/report/graph_dot.h"

#include <fmt/format.h>

#include "dot_style.h"

namespace jitscope {
namespace {

std::string coordinates(LayoutPoint p) { return fmt::format("{:.2f},{:.2f}", p.x, p.y); }

std::string boxText(const LayoutBox& box) {
  return fmt::format("{:.2f},{:.2f},{:.2f},{:.2f}", box.x0, box.y0, box.x1, box.y1);
}

// Graphviz's `pos` of an edge: "e,TIP p0 p1 ... p3n".
std::string curveText(const EdgePlacement& edge) {
  std::string out;
  if (edge.head) out = "e," + coordinates(*edge.head);
  for (const auto& p : edge.curve) out += (out.empty() ? "" : " ") + coordinates(p);
  return out;
}

class DotWriter {
 public:
  DotWriter(std::string& out, const DrawingPlacement* placement) : out_(out), placement_(placement) {}

  void node(const ViewNode& node, int indent) {
    out_ += fmt::format("{:{}}{} [{}", "", indent, dot::quoted(node.id), dot::nodeAttributes(node));
    if (placement_ != nullptr) {
      const auto it = placement_->nodes.find(node.id);
      if (it != placement_->nodes.end()) {
        out_ += fmt::format(", pos=\"{}\", width={:.4f}, height={:.4f}, fixedsize=true",
                            coordinates(it->second.center), it->second.width / 72,
                            it->second.height / 72);
      }
    }
    out_ += "];\n";
  }

  void contents(const GraphView& view, const ViewCluster& cluster, int indent) {
    for (size_t index : cluster.nodes) node(view.nodes[index], indent);
    for (const auto& child : cluster.children) subgraph(view, child, indent);
  }

  void subgraph(const GraphView& view, const ViewCluster& cluster, int indent) {
    out_ += fmt::format("{:{}}subgraph {} {{\n", "", indent, dot::quoted(cluster.id));
    const int inner = indent + 2;
    out_ += fmt::format("{:{}}{}\n", "", inner, dot::clusterAttributes(cluster));
    if (placement_ != nullptr) {
      const auto it = placement_->clusters.find(cluster.id);
      if (it != placement_->clusters.end()) {
        out_ += fmt::format("{:{}}bb=\"{}\";", "", inner, boxText(it->second.box));
        if (it->second.label) out_ += fmt::format(" lp=\"{}\";", coordinates(*it->second.label));
        out_ += "\n";
      }
    }
    contents(view, cluster, inner);
    out_ += fmt::format("{:{}}}}\n", "", indent);
  }

  void edges(const GraphView& view, size_t view_index) {
    for (size_t i = 0; i < view.edges.size(); ++i) {
      const ViewEdge& edge = view.edges[i];
      out_ += fmt::format("  {} -> {}", dot::quoted(view.nodes[edge.from].id),
                          dot::quoted(view.nodes[edge.to].id));
      std::string attributes = dot::edgeAttributes(edge);
      if (const EdgePlacement* placed = placedEdge(view_index, i)) {
        attributes += (attributes.empty() ? "" : ", ") + fmt::format("pos=\"{}\"", curveText(*placed));
        if (placed->label) attributes += fmt::format(", lp=\"{}\"", coordinates(*placed->label));
      }
      if (!attributes.empty()) out_ += " [" + attributes + "]";
      out_ += ";\n";
    }
  }

 private:
  const EdgePlacement* placedEdge(size_t view, size_t edge) const {
    if (placement_ == nullptr || view >= placement_->edges.size() ||
        edge >= placement_->edges[view].size() || placement_->edges[view][edge].curve.empty()) {
      return nullptr;
    }
    return &placement_->edges[view][edge];
  }

  std::string& out_;
  const DrawingPlacement* placement_;
};

}  // namespace

std::string renderDot(const std::vector<GraphView>& views, const DrawingPlacement* placement) {
  std::string out = "digraph jitscope {\n";
  out += dot::kDefaults;
  if (placement != nullptr) {
    out += fmt::format("  bb=\"{}\";\n", boxText(placement->box));
    if (placement->label && views.size() == 1) {
      out += fmt::format("  lp=\"{}\";\n", coordinates(*placement->label));
    }
  }
  DotWriter writer(out, placement);
  if (views.size() == 1) {
    if (!views[0].title.empty()) out += "  label=" + dot::quoted(views[0].title) + ";\n";
    writer.contents(views[0], views[0].root, 2);
  } else {
    for (const auto& view : views) writer.subgraph(view, view.root, 2);
  }
  for (size_t v = 0; v < views.size(); ++v) writer.edges(views[v], v);
  return out + "}\n";
}

}  // namespace jitscope
