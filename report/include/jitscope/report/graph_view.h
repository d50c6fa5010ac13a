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
  // The parts of the tooltip one by one, for the explorer's side panel.
  std::string ir;           ///< the node's IR line; empty for boxes that are no node
  std::string schema;       ///< the operator's schema, when it has one
  std::string source;       ///< the full Python location, "/src/model.py:21"
  std::string module_path;  ///< the submodule it belongs to, "layer1.0.conv1"
  /// The user's Python line, "/src/model.py:35": the source location, or
  /// for a scripted op inside the torch package (the linear of nn.Linear)
  /// the user's call of it. The explorer syncs trace and reference by it.
  std::string user_line;
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

// ---- drawings that fit ------------------------------------------------------

/// One graph to draw and the options of its view: the model, and with
/// --reference its scripted export beside it.
struct ViewRequest {
  const GraphModel* graph = nullptr;
  GraphViewOptions options;
};

/// What a bound counts: boxes (what a reader can take in at "fit"), or the
/// work of Graphviz's layered layout: boxes plus the virtual nodes dot adds
/// where an edge spans several ranks (DenseNet's concatenations of every
/// earlier layer: 495 boxes, over two minutes of dot; scripted
/// MobileNetV3 with 869 boxes and short edges: 4 s), or that work summed
/// over the runs of the hierarchical layout (graph_hierarchy.h), where
/// identical modules count once.
enum class FitMeasure { kBoxes, kLayoutWork, kPartWork };

/// Boxes plus, per edge that is not a loop's back edge, the ranks it skips
/// in a longest-path layering of the view.
size_t layoutWork(const GraphView& view);

/// What fitViews did to bring a drawing under its bound.
struct ViewFit {
  FitMeasure measure = FitMeasure::kBoxes;
  size_t bound = 0;       ///< in `measure`
  size_t full_nodes = 0;  ///< boxes of all the views with nothing collapsed
  size_t full_size = 0;   ///< the same in `measure`
  size_t drawn = 0;       ///< boxes of the views returned
  size_t size = 0;        ///< the same in `measure`
  /// The depth submodules were collapsed at ("--collapse N"); nullopt when
  /// the views fit as they are (or have no submodule to collapse).
  std::optional<size_t> collapse_depth;
  std::vector<std::string> folded;  ///< the submodules drawn as one box each
  /// Boxes left out by truncateViews when even --collapse 1 was too big,
  /// and the boxes there were before the cut.
  size_t dropped = 0;
  size_t before_cut = 0;
};

struct FittedViews {
  std::vector<GraphView> views;
  ViewFit fit;
};

/// Builds the views, then, while together they measure more than `bound`,
/// collapses submodules level by level, deepest first, down to the root's
/// children (--collapse 1). Requests with their own collapse_depth or focus
/// are drawn as asked. The result may still be over the bound (a flat
/// graph); see truncateViews.
FittedViews fitViews(const std::vector<ViewRequest>& requests, size_t bound,
                     FitMeasure measure = FitMeasure::kBoxes);

/// Cuts views over the bound down to it: each keeps its first boxes in
/// graph order (inputs, ops as they run), as many as fit its share of the
/// bound, and gains a note box saying how many were left out. Records the
/// count in `fitted.fit.dropped`; does nothing when they fit.
void truncateViews(FittedViews& fitted);

/// One line for stderr saying what fitting folded or left out and how to
/// see it (`--collapse`, `--focus`, `--full`, `--format html`); empty when
/// nothing was. `output` names the picture, for the explorer's file name.
std::string describeFit(const ViewFit& fit, const std::string& output);

}  // namespace jitscope
