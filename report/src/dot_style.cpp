#include "dot_style.h"

#include <fmt/format.h>

#include "jitscope/report/text_util.h"

namespace jitscope::dot {
namespace {

// Colours: blue ops, green inputs/outputs, amber control flow, violet
// loops, grey modules.
std::string shapeStyle(const ViewNode& node) {
  switch (node.kind) {
    case ViewNodeKind::kOp: return "fillcolor=\"#eef3fb\", color=\"#5b7db1\"";
    case ViewNodeKind::kInput:
    case ViewNodeKind::kOutput:
      return "fillcolor=\"#e3f4e1\", color=\"#4a8f45\", style=\"rounded,filled,bold\"";
    case ViewNodeKind::kCondition:
      return "shape=diamond, style=filled, fillcolor=\"#fff1d6\", color=\"#c98a12\", margin=0";
    case ViewNodeKind::kMerge:
      return "shape=invtrapezium, style=filled, fillcolor=\"#fff1d6\", color=\"#c98a12\"";
    case ViewNodeKind::kEmptyBranch:
      return "shape=plaintext, style=\"\", fontcolor=\"#8a8a8a\"";
    case ViewNodeKind::kLoopHeader:
      return "shape=hexagon, style=filled, fillcolor=\"#ece8f8\", color=\"#6a55b0\"";
    case ViewNodeKind::kModule:
      return "shape=box3d, style=filled, fillcolor=\"#f0f0f0\", color=\"#7a7a7a\"";
    case ViewNodeKind::kNote: return "shape=note, style=filled";
  }
  return "";
}

struct ClusterStyle {
  const char* style;
  const char* fill;
  const char* line;
};

ClusterStyle clusterStyle(ClusterKind kind) {
  switch (kind) {
    case ClusterKind::kRoot: return {"rounded", "#ffffff", "#9a9a9a"};
    case ClusterKind::kModule: return {"rounded,filled", "#f9f9f9", "#c4c4c4"};
    case ClusterKind::kIf: return {"rounded,dashed,filled", "#fffaf0", "#c98a12"};
    case ClusterKind::kBranch: return {"rounded,filled", "#fffdf8", "#e3c48a"};
    case ClusterKind::kLoop: return {"rounded,dashed,filled", "#f8f6fd", "#6a55b0"};
    case ClusterKind::kBlock: return {"rounded,dashed", "#ffffff", "#9a9a9a"};
  }
  return {"rounded", "#ffffff", "#9a9a9a"};
}

}  // namespace

const char* const kDefaults =
    "  graph [rankdir=TB, newrank=true, compound=true, fontname=\"Helvetica\", fontsize=11, "
    "nodesep=0.25, ranksep=0.3, labeljust=l, labelloc=t];\n"
    "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, "
    "height=0.3, margin=\"0.08,0.03\"];\n"
    "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#6b6b6b\", fontcolor=\"#6b6b6b\", "
    "arrowsize=0.6];\n";

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string nodeLabel(const ViewNode& node) {
  std::string label;
  if (!node.module.empty()) {
    label += "<FONT POINT-SIZE=\"8\" COLOR=\"#5b7db1\">" + xmlEscape(node.module) + "</FONT><BR/>";
  }
  label = "<" + label + "<B>" + xmlEscape(node.title) + "</B>";
  for (const auto& detail : node.details) {
    label += "<BR/><FONT POINT-SIZE=\"8\" COLOR=\"#444444\">" + xmlEscape(detail) + "</FONT>";
  }
  if (!node.location.empty()) {
    label += "<BR/><FONT POINT-SIZE=\"8\" COLOR=\"#8a8a8a\">" + xmlEscape(node.location) + "</FONT>";
  }
  return label + ">";
}

std::string boxStyle(const ViewNode& node) {
  std::string out = shapeStyle(node);
  if (!node.highlight.empty()) {
    out += fmt::format(", fillcolor=\"{}\", color=\"{}\", penwidth=2", kHighlightFill, kHighlightLine);
  }
  return out;
}

std::string frameStyle(const ViewCluster& cluster) {
  return fmt::format("style={};{}", quoted(clusterStyle(cluster.kind).style),
                     cluster.highlighted ? " penwidth=2;" : "");
}

std::string nodeAttributes(const ViewNode& node) {
  std::string out = "label=" + nodeLabel(node) + ", " + boxStyle(node) + ", id=" + quoted(node.id);
  const std::string tooltip = node.highlight.empty() ? node.tooltip : node.highlight + "\n" + node.tooltip;
  if (!tooltip.empty()) out += ", tooltip=" + quoted(tooltip);
  return out;
}

std::string clusterAttributes(const ViewCluster& cluster) {
  const ClusterStyle style = clusterStyle(cluster.kind);
  std::string out = fmt::format("label={}; style={}; fillcolor={}; color={}; fontcolor={}; id={};",
                                quoted(cluster.label), quoted(style.style), quoted(style.fill),
                                quoted(cluster.highlighted ? kHighlightLine : style.line),
                                quoted(cluster.highlighted ? kHighlightLine : "#333333"),
                                quoted(cluster.id));
  if (cluster.highlighted) out += " penwidth=2;";
  if (!cluster.tooltip.empty()) out += " tooltip=" + quoted(cluster.tooltip) + ";";
  return out;
}

std::string edgeAttributes(const ViewEdge& edge) {
  std::string attributes;
  if (!edge.label.empty()) attributes += "label=" + quoted(edge.label);
  if (edge.kind == EdgeKind::kControl) {
    attributes += ", style=dotted, color=\"#c98a12\", fontcolor=\"#c98a12\"";
  } else if (edge.kind == EdgeKind::kLoopBack) {
    attributes += ", style=dashed, constraint=false, color=\"#6a55b0\", fontcolor=\"#6a55b0\"";
  }
  if (attributes.rfind(", ", 0) == 0) attributes.erase(0, 2);
  return attributes;
}

}  // namespace jitscope::dot
