// Drawings that fit a bound: collapse submodules level by level, then, for a
// graph that is still too big (thousands of ops at the top level), keep its
// first boxes. Used by `jitscope graph` (a bound Graphviz lays out in
// seconds) and the report page (a bound a reader can read at "fit").
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "jitscope/report/graph_hierarchy.h"
#include "jitscope/report/graph_view.h"
#include "layered_work.h"

namespace jitscope {
namespace {

size_t moduleDepth(const std::string& path) {
  return path.empty() ? 0 : static_cast<size_t>(std::count(path.begin(), path.end(), '.')) + 1;
}

size_t boxes(const std::vector<GraphView>& views) {
  size_t n = 0;
  for (const auto& view : views) n += view.nodes.size();
  return n;
}

size_t measured(const GraphView& view, FitMeasure measure) {
  switch (measure) {
    case FitMeasure::kBoxes: return view.nodes.size();
    case FitMeasure::kLayoutWork: return layoutWork(view);
    case FitMeasure::kPartWork: return hierarchicalLayoutWork(view);
  }
  return view.nodes.size();
}

size_t measured(const std::vector<GraphView>& views, FitMeasure measure) {
  size_t n = 0;
  for (const auto& view : views) n += measured(view, measure);
  return n;
}

bool drawnAsAsked(const GraphViewOptions& options) {
  return options.collapse_depth.has_value() || !options.focus.empty();
}

std::vector<GraphView> build(const std::vector<ViewRequest>& requests, std::optional<size_t> depth) {
  std::vector<GraphView> views;
  for (const auto& request : requests) {
    GraphViewOptions options = request.options;
    if (!drawnAsAsked(options)) options.collapse_depth = depth;
    views.push_back(buildGraphView(*request.graph, options));
  }
  return views;
}

// Rebuilds a cluster tree without the dropped nodes; clusters left empty go.
bool prune(ViewCluster& cluster, const std::vector<size_t>& remap) {
  std::vector<size_t> nodes;
  for (size_t index : cluster.nodes) {
    if (remap[index] != SIZE_MAX) nodes.push_back(remap[index]);
  }
  cluster.nodes = std::move(nodes);
  std::vector<ViewCluster> children;
  for (auto& child : cluster.children) {
    if (prune(child, remap)) children.push_back(std::move(child));
  }
  cluster.children = std::move(children);
  return !cluster.nodes.empty() || !cluster.children.empty();
}

// Keeps the inputs, every highlighted box and the first `keep` others in
// graph order; returns how many were left out.
size_t truncateView(GraphView& view, size_t keep) {
  if (view.nodes.size() <= keep) return 0;
  std::vector<bool> kept(view.nodes.size(), false);
  size_t count = 0;
  for (size_t i = 0; i < view.nodes.size(); ++i) {
    const ViewNode& node = view.nodes[i];
    if (node.kind == ViewNodeKind::kInput || !node.highlight.empty()) {
      kept[i] = true;
      ++count;
    }
  }
  for (size_t i = 0; i < view.nodes.size() && count < keep; ++i) {
    if (kept[i] || view.nodes[i].kind == ViewNodeKind::kOutput) continue;
    kept[i] = true;
    ++count;
  }
  std::vector<size_t> remap(view.nodes.size(), SIZE_MAX);
  std::vector<ViewNode> nodes;
  for (size_t i = 0; i < view.nodes.size(); ++i) {
    if (!kept[i]) continue;
    remap[i] = nodes.size();
    nodes.push_back(std::move(view.nodes[i]));
  }
  const size_t dropped = view.nodes.size() - nodes.size();
  std::vector<ViewEdge> edges;
  for (const auto& edge : view.edges) {
    if (remap[edge.from] == SIZE_MAX || remap[edge.to] == SIZE_MAX) continue;
    edges.push_back({remap[edge.from], remap[edge.to], edge.label, edge.kind});
  }
  view.nodes = std::move(nodes);
  view.edges = std::move(edges);
  prune(view.root, remap);
  ViewNode note;
  note.id = view.root.id.substr(std::string("cluster_").size()) + "_truncated";
  note.kind = ViewNodeKind::kNote;
  note.title = fmt::format("{} more boxes not drawn", dropped);
  note.details.push_back("the drawing keeps the first boxes in graph order");
  note.details.push_back("--format html explores the whole graph");
  note.tooltip = "jitscope graph --full draws every box";
  view.nodes.push_back(std::move(note));
  view.root.nodes.push_back(view.nodes.size() - 1);
  view.hidden_nodes += dropped;
  return dropped;
}

std::string listed(const std::vector<std::string>& names, size_t most) {
  std::string text;
  for (size_t i = 0; i < names.size() && i < most; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > most) text += ", ...";
  return text;
}

std::string explorerName(const std::string& output) {
  if (output.empty() || output == "-") return "model.html";
  const auto dot = output.rfind('.');
  const auto slash = output.rfind('/');
  const bool extension = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  return (extension ? output.substr(0, dot) : output) + ".html";
}

}  // namespace

size_t layeredWork(size_t n, const std::vector<std::pair<size_t, size_t>>& edges) {
  std::vector<std::vector<size_t>> out(n);
  std::vector<size_t> indegree(n, 0);
  for (const auto& [from, to] : edges) {
    if (from == to) continue;
    out[from].push_back(to);
    ++indegree[to];
  }
  // Longest-path ranks in topological order (Kahn).
  std::vector<size_t> rank(n, 0);
  std::vector<size_t> ready;
  for (size_t i = 0; i < n; ++i) {
    if (indegree[i] == 0) ready.push_back(i);
  }
  while (!ready.empty()) {
    const size_t at = ready.back();
    ready.pop_back();
    for (size_t to : out[at]) {
      rank[to] = std::max(rank[to], rank[at] + 1);
      if (--indegree[to] == 0) ready.push_back(to);
    }
  }
  size_t work = n;
  for (size_t from = 0; from < n; ++from) {
    for (size_t to : out[from]) {
      if (rank[to] > rank[from] + 1) work += rank[to] - rank[from] - 1;
    }
  }
  return work;
}

size_t layoutWork(const GraphView& view) {
  std::vector<std::pair<size_t, size_t>> edges;
  for (const auto& edge : view.edges) {
    if (edge.kind != EdgeKind::kLoopBack) edges.emplace_back(edge.from, edge.to);
  }
  return layeredWork(view.nodes.size(), edges);
}

FittedViews fitViews(const std::vector<ViewRequest>& requests, size_t bound, FitMeasure measure) {
  FittedViews fitted;
  fitted.fit.measure = measure;
  fitted.fit.bound = bound;
  fitted.views = build(requests, std::nullopt);
  fitted.fit.full_nodes = boxes(fitted.views);
  fitted.fit.full_size = measured(fitted.views, measure);
  size_t deepest = 0;
  for (const auto& request : requests) {
    if (drawnAsAsked(request.options)) continue;
    for (const auto& entry : request.options.module_types) {
      deepest = std::max(deepest, moduleDepth(entry.first));
    }
  }
  // Collapsing at a depth below every module changes nothing; start at the
  // deepest modules and go up one level at a time.
  for (size_t depth = deepest; depth >= 1 && measured(fitted.views, measure) > bound; --depth) {
    fitted.views = build(requests, depth);
    fitted.fit.collapse_depth = depth;
  }
  if (fitted.fit.collapse_depth) {
    std::set<std::string> seen;
    for (const auto& view : fitted.views) {
      for (const auto& node : view.nodes) {
        if (node.kind == ViewNodeKind::kModule && seen.insert(node.title).second) {
          fitted.fit.folded.push_back(node.title);
        }
      }
    }
  }
  fitted.fit.drawn = boxes(fitted.views);
  fitted.fit.size = measured(fitted.views, measure);
  return fitted;
}

void truncateViews(FittedViews& fitted) {
  const FitMeasure measure = fitted.fit.measure;
  const size_t total = measured(fitted.views, measure);
  const size_t bound = fitted.fit.bound;
  if (total <= bound) return;
  fitted.fit.before_cut = fitted.fit.drawn;
  size_t notes = 0;
  for (auto& view : fitted.views) {
    const size_t share = std::max<size_t>(1, bound * measured(view, measure) / total);
    if (measured(view, measure) <= share) continue;
    // The most leading boxes whose drawing stays within the share (work
    // grows with the boxes kept).
    size_t low = 1, high = view.nodes.size();
    while (low < high) {
      const size_t mid = (low + high + 1) / 2;
      GraphView trial = view;
      truncateView(trial, mid);
      if (measured(trial, measure) <= share) low = mid; else high = mid - 1;
    }
    const size_t dropped = truncateView(view, low);
    fitted.fit.dropped += dropped;
    if (dropped > 0) ++notes;
  }
  fitted.fit.drawn = boxes(fitted.views) - notes;  // the boxes of the graph, not the notes
  fitted.fit.size = measured(fitted.views, measure);
}

std::string describeFit(const ViewFit& fit, const std::string& output) {
  const std::string html = explorerName(output);
  const std::string open =
      fmt::format("--full draws every box, --format html -o {} "
                  "opens any module interactively",
                  html);
  if (fit.dropped > 0) {
    const std::string collapsed =
        fit.collapse_depth ? fmt::format(", {} with every submodule collapsed (--collapse 1),",
                                         fit.before_cut)
                           : " and no submodule to collapse:";
    return fmt::format(
        "{} boxes{} still too many to lay out in seconds: drew the first {} in graph "
        "order and left out {}; --focus FILE:LINE draws around a line, {}",
        fit.full_nodes, collapsed, fit.drawn, fit.dropped, open);
  }
  if (!fit.collapse_depth) return "";
  const size_t depth = *fit.collapse_depth;
  return fmt::format(
      "drew {} of {} boxes: {} submodule{} {} level{} deep {} one box each ({}); --collapse {} "
      "opens the next level, --focus FILE:LINE draws around a line, {}",
      fit.drawn, fit.full_nodes, fit.folded.size(), fit.folded.size() == 1 ? "" : "s", depth,
      depth == 1 ? "" : "s", fit.folded.size() == 1 ? "is" : "are", listed(fit.folded, 4),
      depth + 1, open);
}

}  // namespace jitscope
