// How a view looks in DOT: labels, shapes and colours of boxes, clusters
// and edges. Shared by the flat drawing (graph_dot.cpp) and the
// per-module layouts of the hierarchical one (graph_hierarchy.cpp), so both
// size every box the same way.
#pragma once

#include <string>

#include "jitscope/report/graph_view.h"

namespace jitscope::dot {

/// The graph/node/edge defaults every drawing starts with.
extern const char* const kDefaults;

// Red for anything an audit points at.
inline constexpr const char* kHighlightFill = "#ffd9d6";
inline constexpr const char* kHighlightLine = "#c0392b";

/// `text` as a DOT string literal.
std::string quoted(const std::string& text);

/// The HTML-like label of a box (module, title, folded details, location).
std::string nodeLabel(const ViewNode& node);

/// What sizes a box besides its label: shape, style, colours, pen width.
std::string boxStyle(const ViewNode& node);

/// What sizes a cluster's frame besides its label: style and pen width.
std::string frameStyle(const ViewCluster& cluster);

/// Everything of a box but its name and position: label, shape, colours,
/// id, tooltip (the highlight's reason first).
std::string nodeAttributes(const ViewNode& node);

/// Style, colours, id and tooltip of a cluster, one `key=value;` each.
std::string clusterAttributes(const ViewCluster& cluster);

/// The attributes of an edge by its kind and label ("" for a plain one).
std::string edgeAttributes(const ViewEdge& edge);

}  // namespace jitscope::dot
