// What `jitscope graph` draws, decided from a GraphModel: which nodes, in
// which clusters (submodules, branches, loop bodies), with which labels and
// edges. Plain data: graph_dot.h prints it as DOT, graphviz_render.h lays
// that out, and tests inspect the view itself without Graphviz.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "jitscope/inspector/graph_model.h"

namespace jitscope {

/// A spot to colour, e.g. from an audit report: a Python line, with why.
struct HighlightSpot {
  std::string file;
  size_t line = 0;
  std::string label;    ///< "trace-data-dependent-branch"
  std::string message;  ///< one line
  std::string module;   ///< submodule path the finding names, may be empty
};

struct GraphViewOptions {
  std::string title;
  /// Submodules this many levels deep (1 = children of the root) are each
  /// drawn as one node naming the module and its op count.
  std::optional<size_t> collapse_depth;
  /// Draw only the neighbourhood of these nodes: "n42" (a node id),
  /// "%x.1" (the node producing a value) or "FILE:LINE" (nodes from that
  /// Python line; FILE may be a suffix such as "model.py").
  std::string focus;
  size_t radius = 3;  ///< steps along data edges from the focused nodes
  std::vector<HighlightSpot> highlights;
  /// Submodule path -> class name ("layer1.0" -> "BasicBlock").
  std::map<std::string, std::string> module_types;
  /// Prefix for every node and cluster id, so two views share one drawing.
  std::string id_prefix;
};

enum class ViewNodeKind {
  kOp,          ///< one node of the graph
  kInput,       ///< a graph input
  kOutput,      ///< the graph's return
  kCondition,   ///< the test of a prim::If
  kMerge,       ///< where the branches of a prim::If join
  kEmptyBranch, ///< a branch without ops (it returns earlier values)
  kLoopHeader,  ///< trip count and condition of a prim::Loop
  kModule,      ///< a collapsed submodule
  kNote,        ///< a highlight that matched no node
};

struct ViewNode {
  std::string id;  ///< stable: "n12" is node 12 of the pre-order walk
  ViewNodeKind kind = ViewNodeKind::kOp;
  std::string title;                 ///< "conv2d", "if", "layer1.0"
  /// The module of a leaf module's only op, "conv1 : Conv2d", shown in the
  /// label instead of a cluster of one.
  std::string module;
  std::vector<std::string> details;  ///< folded arguments: "stride=[2, 2]"
  std::string location;              ///< "resnet.py:59"
  std::string tooltip;               ///< schema, full location, module, IR
  std::string highlight;             ///< why it is coloured; empty if not
};

enum class ClusterKind { kRoot, kModule, kIf, kBranch, kLoop, kBlock };

struct ViewCluster {
  std::string id;  ///< "cluster_...": Graphviz draws subgraphs so named as boxes
  ClusterKind kind = ClusterKind::kRoot;
  std::string label;
  std::string tooltip;
  bool highlighted = false;
  std::vector<size_t> nodes;  ///< indices into GraphView::nodes
  std::vector<ViewCluster> children;
};

enum class EdgeKind {
  kData,      ///< a value flowing from producer to user
  kControl,   ///< from an `if` test to the first node of a branch
  kLoopBack,  ///< a loop body's results carried to the next iteration
};

struct ViewEdge {
  size_t from = 0;
  size_t to = 0;
  /// The value's type ("Float(1, 3)", "int"); empty for a tensor of
  /// unknown shape, which is most edges of a graph loaded from a file.
  std::string label;
  EdgeKind kind = EdgeKind::kData;
};

struct GraphView {
  std::string title;
  ViewCluster root;
  std::vector<ViewNode> nodes;
  std::vector<ViewEdge> edges;
  size_t graph_nodes = 0;   ///< nodes in the graph, nested blocks included
  size_t folded_nodes = 0;  ///< constants and attribute reads shown in labels
  size_t hidden_nodes = 0;  ///< outside --focus
  size_t highlighted = 0;   ///< drawn nodes or clusters that are coloured
};

/// Throws UsageError when `options.focus` names nothing in the graph.
GraphView buildGraphView(const GraphModel& graph, const GraphViewOptions& options);

}  // namespace jitscope
