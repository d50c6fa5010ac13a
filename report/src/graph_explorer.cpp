#include "jitscope/report/graph_explorer.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "jitscope/report/text_util.h"

namespace jitscope {
namespace assets {
// report/assets/ and third_party/dagre/, embedded by cmake/EmbedAssets.cmake.
extern const char kDagreJs[];
extern const char kDagreLicense[];
extern const char kExplorerJs[];
extern const char kExplorerCss[];
}  // namespace assets

namespace {

using nlohmann::json;

const char* kindName(ViewNodeKind kind) {
  switch (kind) {
    case ViewNodeKind::kOp: return "op";
    case ViewNodeKind::kInput: return "input";
    case ViewNodeKind::kOutput: return "output";
    case ViewNodeKind::kCondition: return "condition";
    case ViewNodeKind::kMerge: return "merge";
    case ViewNodeKind::kEmptyBranch: return "empty";
    case ViewNodeKind::kLoopHeader: return "loop";
    case ViewNodeKind::kModule: return "module";
    case ViewNodeKind::kNote: return "note";
  }
  return "op";
}

const char* kindName(ClusterKind kind) {
  switch (kind) {
    case ClusterKind::kRoot: return "root";
    case ClusterKind::kModule: return "module";
    case ClusterKind::kIf: return "if";
    case ClusterKind::kBranch: return "branch";
    case ClusterKind::kLoop: return "loop";
    case ClusterKind::kBlock: return "block";
  }
  return "block";
}

const char* kindName(EdgeKind kind) {
  switch (kind) {
    case EdgeKind::kData: return "data";
    case EdgeKind::kControl: return "control";
    case EdgeKind::kLoopBack: return "back";
  }
  return "data";
}

// Empty fields are left out: BERT-base's page is mostly node data.
void put(json& object, const char* key, const std::string& value) {
  if (!value.empty()) object[key] = value;
}

json nodeJson(const ViewNode& node) {
  json out = {{"id", node.id}, {"kind", kindName(node.kind)}, {"title", node.title}};
  put(out, "module", node.module);
  if (!node.details.empty()) out["details"] = node.details;
  put(out, "location", node.location);
  put(out, "source", node.source);
  if (node.user_line != node.source) put(out, "line", node.user_line);
  put(out, "ir", node.ir);
  put(out, "schema", node.schema);
  put(out, "module_path", node.module_path);
  put(out, "highlight", node.highlight);
  if (node.ir.empty()) put(out, "tooltip", node.tooltip);
  return out;
}

json clusterJson(const ViewCluster& cluster) {
  json out = {{"id", cluster.id}, {"kind", kindName(cluster.kind)}, {"label", cluster.label}};
  put(out, "tooltip", cluster.tooltip);
  if (cluster.highlighted) out["highlighted"] = true;
  out["nodes"] = cluster.nodes;
  json children = json::array();
  for (const auto& child : cluster.children) children.push_back(clusterJson(child));
  out["children"] = std::move(children);
  return out;
}

json viewJson(const GraphView& view) {
  json nodes = json::array();
  for (const auto& node : view.nodes) nodes.push_back(nodeJson(node));
  json edges = json::array();
  for (const auto& edge : view.edges) {
    edges.push_back(json::array({edge.from, edge.to, edge.label, kindName(edge.kind)}));
  }
  return {{"title", view.title},     {"nodes", std::move(nodes)},
          {"edges", std::move(edges)}, {"root", clusterJson(view.root)},
          {"graph_nodes", view.graph_nodes}, {"folded_nodes", view.folded_nodes},
          {"hidden_nodes", view.hidden_nodes}};
}

// JSON inside <script type="application/json">: "</script" would end the
// element and "<!--" change how it is parsed. '<' only occurs inside JSON
// strings, where \u003c is the same character.
std::string scriptSafe(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

// "/src/model.py:24:20" or "/src/model.py:24" -> ("/src/model.py", 24).
std::pair<std::string, size_t> fileLine(std::string text) {
  for (int part = 0; part < 2; ++part) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon + 1 == text.size() ||
        text.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
      break;
    }
    const size_t number = std::stoul(text.substr(colon + 1));
    text.resize(colon);
    const auto before = text.rfind(':');
    if (part == 1 || before == std::string::npos ||
        text.find_first_not_of("0123456789", before + 1) != std::string::npos) {
      return {text, number};
    }
  }
  return {"", 0};
}

// The lines around every location the views name: {file: {"21": "    if x.sum() > 0:"}}.
json sourceExcerpts(const std::vector<GraphView>& views) {
  constexpr size_t kContext = 2;
  constexpr size_t kMaxFiles = 200;
  constexpr size_t kMaxLineLength = 300;
  std::map<std::string, std::set<size_t>> wanted;
  for (const auto& view : views) {
    for (const auto& node : view.nodes) {
      for (const std::string* where : {&node.source, &node.user_line}) {
        const auto [file, line] = fileLine(*where);
        if (!file.empty() && line > 0) wanted[file].insert(line);
      }
    }
  }
  json out = json::object();
  size_t files = 0;
  for (const auto& [file, lines] : wanted) {
    // Only Python files: a crafted model's debug info could name any file
    // on this machine, and the page is made to be shared.
    if (file.size() < 3 || file.compare(file.size() - 3, 3, ".py") != 0) continue;
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) continue;
    if (++files > kMaxFiles) break;
    std::ifstream in(file);
    if (!in) continue;
    std::set<size_t> keep;
    for (size_t line : lines) {
      for (size_t l = line > kContext ? line - kContext : 1; l <= line + kContext; ++l) keep.insert(l);
    }
    json text = json::object();
    std::string content;
    for (size_t n = 1; !keep.empty() && n <= *keep.rbegin() && std::getline(in, content); ++n) {
      if (!keep.count(n)) continue;
      if (content.size() > kMaxLineLength) content = content.substr(0, kMaxLineLength) + "...";
      text[std::to_string(n)] = content;
    }
    if (!text.empty()) out[file] = std::move(text);
  }
  return out;
}

}  // namespace

std::string renderExplorerData(const std::vector<GraphView>& views, const ExplorerOptions& options) {
  json views_json = json::array();
  for (const auto& view : views) views_json.push_back(viewJson(view));
  json out = {{"title", options.title}, {"views", std::move(views_json)}};
  if (options.collapse_depth) out["collapse_depth"] = *options.collapse_depth;
  if (options.collapse_control) out["collapse_control"] = true;
  if (options.source_excerpts) out["sources"] = sourceExcerpts(views);
  // Names and IR come from the model file: bytes that are not UTF-8 are
  // replaced rather than failing the page.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

ExplorerOptions explorerStart(const std::vector<ViewRequest>& requests, std::string title,
                              size_t boxes) {
  ExplorerOptions options;
  options.title = std::move(title);
  const ViewFit fit = fitViews(requests, boxes).fit;
  options.collapse_depth = fit.collapse_depth;
  if (fit.drawn > boxes) {
    // Scripted TransformerEncoder layers are mostly fast-path checks at
    // the top level: fold those too.
    options.collapse_depth = 1;
    options.collapse_control = true;
  }
  return options;
}

std::string renderExplorerElement(const std::vector<GraphView>& views, const ExplorerOptions& options) {
  return fmt::format(
      R"(<div class="jx{0}" id="jx">
<div id="jx-bar">{1}
<input id="jx-search" type="search" placeholder="search: op (conv2d), module (layer1.0), value (%x.1), file.py:LINE" autocomplete="off">
<span id="jx-search-status"></span>
<button id="jx-zoom-in" type="button" title="zoom in">+</button><button id="jx-zoom-out" type="button" title="zoom out">&minus;</button>
<button id="jx-fit" type="button" title="fit the graph in the window">fit</button>
<button id="jx-collapse-all" type="button" title="collapse every module, if and loop below the top level">collapse all</button>
<span id="jx-hint">click a box for its details, a frame's title or a ▸ box to open or close it; drag to pan, {2} to zoom</span>
</div>
<div id="jx-main"><div id="jx-panes"></div>
<aside id="jx-panel"><button id="jx-panel-close" type="button" title="close">×</button><div id="jx-panel-body"><h2>Details</h2><p class="muted">Click a box for its IR line, schema, Python location, module, inputs and users, and the audit findings on it.</p><p class="muted">Search takes an op (<code>conv2d</code>), a module path (<code>layer1.0</code>), a value (<code>%x.1</code>) or <code>file.py:LINE</code>; Enter again goes to the next match.</p></div></aside></div>
<noscript><p>The graph needs JavaScript; <code>jitscope graph MODEL -o graph.svg</code> draws it as a picture.</p></noscript>
<script type="application/json" id="jx-data">{3}</script>
</div>
)",
      options.embedded ? " jx-embedded" : "", options.embedded ? "" : "<h1>" + xmlEscape(options.title) + "</h1>",
      options.embedded ? "Ctrl+wheel" : "wheel", scriptSafe(renderExplorerData(views, options)));
}

const char* explorerStyle() { return assets::kExplorerCss; }

std::string explorerScript() {
  return fmt::format(R"(/* dagre 3.1.3, https://github.com/dagrejs/dagre (vendored in jitscope's third_party/dagre)
{0}*/
{1}
;
{2})",
                     assets::kDagreLicense, assets::kDagreJs, assets::kExplorerJs);
}

std::string renderGraphExplorer(const std::vector<GraphView>& views, const ExplorerOptions& options) {
  return fmt::format(
      R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>jitscope graph: {0}</title>
<script>window.jitscopeErrors=[];window.addEventListener('error',function(e){{window.jitscopeErrors.push(String(e.message));document.documentElement.setAttribute('data-js-errors',window.jitscopeErrors.join(' | '));}});</script>
<style>html, body {{ margin: 0; height: 100%; overflow: hidden; }} .jx {{ height: 100%; }}
{1}</style></head>
<body>
{2}<script>{3}</script>
</body></html>
)",
      xmlEscape(options.title), explorerStyle(), renderExplorerElement(views, options), explorerScript());
}

}  // namespace jitscope
