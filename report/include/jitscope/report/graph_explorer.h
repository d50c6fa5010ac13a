// `jitscope graph --format html` (and the graph section of `jitscope report`
// and `ci --report-dir` pages): one self-contained page in which a person
// explores the graph: expand and collapse modules, `if`s and loops in place
// (laid out in the browser by the vendored dagre, third_party/dagre), pan
// and zoom, search, click a node for its IR line, schema, source and
// findings. The page is the views' data as JSON plus embedded scripts
// (report/assets/explorer.js, explorer.css); nothing is loaded from outside.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "jitscope/report/graph_view.h"

namespace jitscope {

struct ExplorerOptions {
  std::string title;  ///< the page's title, "model.pt  forward"
  /// Module clusters this deep start collapsed (--collapse, or
  /// explorerStart); none when empty.
  std::optional<size_t> collapse_depth;
  /// `if`s and loops that deep start collapsed too.
  bool collapse_control = false;
  /// Put the Python lines around each node's location into the page, for
  /// the side panel (files that cannot be read are left out).
  bool source_excerpts = true;
  /// Placed in a longer page (the report's graph section): the wheel
  /// scrolls that page (Ctrl+wheel zooms) and the bar has no title.
  bool embedded = false;
};

/// The page's first state when --collapse does not say: open as deep as
/// fits in about `boxes` boxes (fitViews), so the first picture is readable
/// at "fit" (BERT-base opens at its encoder layers); a graph still bigger
/// with every module collapsed starts with its `if`s and loops collapsed.
ExplorerOptions explorerStart(const std::vector<ViewRequest>& requests, std::string title,
                              size_t boxes = 40);

/// The data the page's script reads: for each view its nodes, edges and
/// cluster tree, as JSON (also what tests inspect).
std::string renderExplorerData(const std::vector<GraphView>& views, const ExplorerOptions& options);

/// The explorer as one element for a page to place (`<div class="jx">`: tool
/// bar, panes, side panel and the data). Views are drawn side by side (the
/// model and its --reference), with selection synced by Python source line.
/// The page also carries explorerStyle() in a <style> and explorerScript()
/// in a <script> after the element, and sizes `.jx`. One explorer per page:
/// its ids start with "jx-" and every style rule is scoped to `.jx`, so the
/// page's own ids, classes and rules stay apart from it.
std::string renderExplorerElement(const std::vector<GraphView>& views, const ExplorerOptions& options);

/// The explorer's CSS (report/assets/explorer.css).
const char* explorerStyle();

/// The explorer's JavaScript: dagre with its licence, then
/// report/assets/explorer.js.
std::string explorerScript();

/// The whole page of `jitscope graph --format html`: the element filling
/// the window.
std::string renderGraphExplorer(const std::vector<GraphView>& views, const ExplorerOptions& options);

}  // namespace jitscope
