// Drawings that fit a bound (fitViews, truncateViews, layoutWork,
// describeFit: the default of `jitscope graph` and the report page's
// drawing) and the explorer page's data (renderExplorerData,
// renderGraphExplorer). The page's behaviour in a browser:
// tests/html/explorer_in_browser.js.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/csrc/jit/api/module.h>

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>

#include "fixtures.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/module_info.h"
#include "jitscope/report/graph_explorer.h"
#include "jitscope/report/graph_view.h"
#include "jitscope/report/html_report.h"

namespace jitscope {
namespace {

struct Model {
  GraphModel graph;
  std::map<std::string, std::string> module_types;
};

Model read(const std::string& name) {
  const LoadedModel model = loadModel(testing::fixture(name), TensorData::kSkip);
  return {buildGraphModel(*methodGraph(*model.module, "forward", GraphForm::kInlined), "forward", true),
          moduleTypeNames(*model.module)};
}

ViewRequest request(const Model& model, GraphViewOptions options = {}) {
  options.module_types = model.module_types;
  return {&model.graph, options};
}

// A view of the one box `node`, its id n1.
GraphView oneBoxView(const std::string& title, ViewNode node) {
  GraphView view;
  view.title = title;
  node.id = "n1";
  view.nodes.push_back(node);
  view.root.id = "cluster_root";
  view.root.nodes = {0};
  return view;
}

size_t occurrences(const std::string& page, const std::string& what) {
  size_t n = 0;
  for (size_t at = page.find(what); at != std::string::npos; at = page.find(what, at + 1)) ++n;
  return n;
}

// The explorer's data: the JSON in the element that `open` ends.
nlohmann::json explorerData(const std::string& page, const std::string& open) {
  const size_t start = page.find(open) + open.size();
  return nlohmann::json::parse(page.substr(start, page.find("</script>", start) - start));
}

void forEachCluster(const ViewCluster& cluster, const std::function<void(const ViewCluster&)>& f) {
  f(cluster);
  for (const auto& child : cluster.children) forEachCluster(child, f);
}

TEST(GraphFit, CollapsesTheDeepestLevelThatFits) {
  const Model resnet = read("resnet18.scripted.pt");
  const FittedViews all = fitViews({request(resnet)}, SIZE_MAX);
  EXPECT_FALSE(all.fit.collapse_depth);
  EXPECT_TRUE(all.fit.folded.empty());
  EXPECT_EQ(describeFit(all.fit, "r.svg"), "");
  const size_t full = all.views[0].nodes.size();
  ASSERT_GT(full, 200u);

  const FittedViews fitted = fitViews({request(resnet)}, 200);
  // Depth 4 (layer1.0.downsample.0) and 3 (layer1.0.conv1) are tried
  // before 2; scripted ResNet18's convolutions carry if-clusters, so
  // depth 3 already fits.
  ASSERT_TRUE(fitted.fit.collapse_depth);
  EXPECT_EQ(*fitted.fit.collapse_depth, 3u);
  EXPECT_LE(fitted.views[0].nodes.size(), 200u);
  EXPECT_EQ(fitted.fit.full_nodes, full);
  EXPECT_EQ(fitted.fit.drawn, fitted.views[0].nodes.size());
  std::set<std::string> folded(fitted.fit.folded.begin(), fitted.fit.folded.end());
  EXPECT_TRUE(folded.count("layer1.0.conv1")) << describeFit(fitted.fit, "r.svg");
  EXPECT_FALSE(folded.count("layer1.0"));  // depth 2 stays open
  for (const auto& node : fitted.views[0].nodes) {
    if (node.kind == ViewNodeKind::kModule) EXPECT_TRUE(folded.count(node.title)) << node.title;
  }
  EXPECT_EQ(fitted.fit.dropped, 0u);

  // The note names what was folded and every way to open it.
  const std::string note = describeFit(fitted.fit, "out/r.svg");
  EXPECT_NE(note.find(fmt::format("drew {} of {} boxes", fitted.fit.drawn, full)), std::string::npos) << note;
  EXPECT_NE(note.find("3 levels deep are one box each (layer1.0.conv1"), std::string::npos) << note;
  EXPECT_NE(note.find("--collapse 4 opens the next level"), std::string::npos) << note;
  EXPECT_NE(note.find("--focus FILE:LINE"), std::string::npos) << note;
  EXPECT_NE(note.find("--full"), std::string::npos) << note;
  EXPECT_NE(note.find("--format html -o out/r.html"), std::string::npos) << note;
}

TEST(GraphFit, AnExplicitCollapseOrFocusIsDrawnAsAsked) {
  const Model resnet = read("resnet18.scripted.pt");
  GraphViewOptions options;
  options.collapse_depth = 1;
  FittedViews fitted = fitViews({request(resnet, options)}, 10);
  EXPECT_EQ(fitted.views[0].nodes.size(), buildGraphView(resnet.graph, request(resnet, options).options).nodes.size());
  EXPECT_FALSE(fitted.fit.collapse_depth);  // fitting did not choose one
  const GraphView plain = buildGraphView(resnet.graph, request(resnet).options);
  const auto op = std::find_if(plain.nodes.begin(), plain.nodes.end(),
                               [](const ViewNode& n) { return n.kind == ViewNodeKind::kOp; });
  ASSERT_NE(op, plain.nodes.end());
  options = {};
  options.focus = op->id;
  options.radius = 1;
  fitted = fitViews({request(resnet, options)}, 1);
  EXPECT_FALSE(fitted.fit.collapse_depth);
  EXPECT_GT(fitted.fit.drawn, 1u);  // over the bound, drawn as asked
}

TEST(GraphFit, BothViewsOfAReferenceShareTheBound) {
  const Model traced = read("bert_tiny.traced.pt");
  const Model scripted = read("bert_tiny.scripted.pt");
  GraphViewOptions ref;
  ref.id_prefix = "ref_";
  const FittedViews fitted = fitViews({request(traced), request(scripted, ref)}, 60);
  ASSERT_EQ(fitted.views.size(), 2u);
  EXPECT_LE(fitted.views[0].nodes.size() + fitted.views[1].nodes.size(), 60u);
  EXPECT_EQ(fitted.fit.drawn, fitted.views[0].nodes.size() + fitted.views[1].nodes.size());
  EXPECT_EQ(fitted.views[1].nodes.front().id.rfind("ref_", 0), 0u);
}

TEST(GraphFit, AGraphTooBigEvenCollapsedKeepsItsFirstBoxesAndSaysSo) {
  // MyCell has one submodule with ops of its own (dg); at a bound of 5 even
  // --collapse 1 is too big, so the drawing is cut.
  const Model cell = read("my_cell.scripted.pt");
  FittedViews fitted = fitViews({request(cell)}, 5);
  ASSERT_GT(fitted.fit.drawn, 5u);
  const GraphView before = fitted.views[0];
  truncateViews(fitted);
  const GraphView& view = fitted.views[0];
  EXPECT_GT(fitted.fit.dropped, 0u);
  EXPECT_EQ(fitted.fit.drawn + fitted.fit.dropped, before.nodes.size());
  EXPECT_LE(fitted.fit.drawn, 5u);
  // The kept boxes are the first ones, in graph order, the inputs first.
  for (size_t i = 0; i < fitted.fit.drawn; ++i) EXPECT_EQ(view.nodes[i].id, before.nodes[i].id);
  EXPECT_EQ(view.nodes[0].kind, ViewNodeKind::kInput);
  const ViewNode& note = view.nodes.back();
  EXPECT_EQ(note.kind, ViewNodeKind::kNote);
  EXPECT_EQ(note.title, fmt::format("{} more boxes not drawn", fitted.fit.dropped));
  // Edges and clusters point only at kept boxes; no cluster is left empty.
  for (const auto& edge : view.edges) {
    EXPECT_LT(edge.from, view.nodes.size());
    EXPECT_LT(edge.to, view.nodes.size());
  }
  std::set<size_t> placed;
  forEachCluster(view.root, [&](const ViewCluster& c) {
    EXPECT_TRUE(!c.nodes.empty() || !c.children.empty()) << c.id;
    placed.insert(c.nodes.begin(), c.nodes.end());
  });
  EXPECT_EQ(placed.size(), view.nodes.size());
  const std::string line = describeFit(fitted.fit, "-");
  EXPECT_NE(line.find(fmt::format("{} boxes, {} with every submodule collapsed (--collapse 1), still too "
                                  "many to lay out in seconds",
                                  fitted.fit.full_nodes, before.nodes.size())),
            std::string::npos)
      << line;
  EXPECT_NE(line.find(fmt::format("drew the first {} in graph order and left out {}", fitted.fit.drawn,
                                  fitted.fit.dropped)),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("--format html -o model.html"), std::string::npos) << line;
}

TEST(GraphFit, LayoutWorkCountsTheRanksLongEdgesSkip) {
  GraphView view;
  view.nodes.resize(4);
  // a -> b -> c -> d, and a -> d skipping two ranks; a back edge d -> a
  // is not layered.
  view.edges = {{0, 1, "", EdgeKind::kData}, {1, 2, "", EdgeKind::kData}, {2, 3, "", EdgeKind::kData},
                {0, 3, "", EdgeKind::kData}, {3, 0, "", EdgeKind::kLoopBack}};
  EXPECT_EQ(layoutWork(view), 4u + 2u);
  view.edges.pop_back();
  view.edges.push_back({1, 3, "", EdgeKind::kData});
  EXPECT_EQ(layoutWork(view), 4u + 2u + 1u);
  // DenseNet-like: each layer feeds every later one. Work grows as the
  // square of the layers while boxes grow linearly.
  GraphView dense;
  dense.nodes.resize(20);
  for (size_t i = 0; i < 20; ++i) {
    for (size_t j = i + 1; j < 20; ++j) dense.edges.push_back({i, j, "", EdgeKind::kData});
  }
  size_t skipped = 0;
  for (size_t i = 0; i < 20; ++i) {
    for (size_t j = i + 1; j < 20; ++j) skipped += j - i - 1;
  }
  EXPECT_EQ(layoutWork(dense), 20u + skipped);
}

TEST(GraphFit, TheLayoutBoundCollapsesTheLongSkipsAway) {
  const Model resnet = read("resnet18.traced.pt");
  const FittedViews full = fitViews({request(resnet)}, SIZE_MAX, FitMeasure::kLayoutWork);
  EXPECT_GE(full.fit.full_size, full.fit.full_nodes);
  const FittedViews fitted = fitViews({request(resnet)}, full.fit.full_size - 1, FitMeasure::kLayoutWork);
  ASSERT_TRUE(fitted.fit.collapse_depth);
  EXPECT_LT(fitted.fit.size, full.fit.full_size);
  EXPECT_EQ(fitted.fit.size, layoutWork(fitted.views[0]));
}

// ---- the explorer page --------------------------------------------------------

TEST(GraphExplorer, DataHoldsTheClusterTreeAndEachNodesDetails) {
  const Model cell = read("my_cell.scripted.pt");
  const GraphView view = buildGraphView(cell.graph, request(cell).options);
  ExplorerOptions options;
  options.title = "my_cell.scripted.pt  forward";
  const auto data = nlohmann::json::parse(renderExplorerData({view}, options));
  ASSERT_EQ(data["views"].size(), 1u);
  const auto& v = data["views"][0];
  EXPECT_EQ(v["nodes"].size(), view.nodes.size());
  EXPECT_EQ(v["edges"].size(), view.edges.size());
  EXPECT_FALSE(data.contains("collapse_depth"));
  // dg's cluster holds the if, which holds a then and an else branch.
  const nlohmann::json* dg = nullptr;
  for (const auto& child : v["root"]["children"]) {
    if (child["label"] == "dg : MyDecisionGate") dg = &child;
  }
  ASSERT_NE(dg, nullptr) << v["root"].dump();
  EXPECT_EQ((*dg)["kind"], "module");
  ASSERT_EQ((*dg)["children"].size(), 1u);
  const auto& cond = (*dg)["children"][0];
  EXPECT_EQ(cond["kind"], "if");
  ASSERT_EQ(cond["children"].size(), 2u);
  EXPECT_EQ(cond["children"][1]["label"], "else");
  const size_t neg = cond["children"][1]["nodes"][0];
  const auto& node = v["nodes"][neg];
  EXPECT_EQ(node["title"], "neg");
  EXPECT_NE(node["ir"].get<std::string>().find("aten::neg("), std::string::npos);
  EXPECT_EQ(node["schema"], "aten::neg(Tensor self) -> Tensor");
  EXPECT_EQ(node["module_path"], "dg");
  EXPECT_NE(node["source"].get<std::string>().find("classic.py:24"), std::string::npos);
  // The page carries the Python around each location, for the side panel.
  const std::string source = node["source"];
  const std::string file = source.substr(0, source.find("classic.py") + 10);
  ASSERT_TRUE(data["sources"].contains(file)) << data["sources"].dump();
  EXPECT_EQ(data["sources"][file]["24"], "            return -x");
  EXPECT_EQ(data["sources"][file]["22"], "            return x");
}

TEST(GraphExplorer, TheFirstStateOpensAsDeepAsFits) {
  const Model resnet = read("resnet18.traced.pt");
  const ExplorerOptions small = explorerStart({request(resnet)}, "r", 10000);
  EXPECT_FALSE(small.collapse_depth);
  const ExplorerOptions big = explorerStart({request(resnet)}, "r", 40);
  ASSERT_TRUE(big.collapse_depth);
  EXPECT_EQ(*big.collapse_depth, 2u);  // layer1.0 ... layer4.1 one box each
  EXPECT_FALSE(big.collapse_control);
  const Model encoder = read("transformer_encoder.scripted.pt");
  const ExplorerOptions flat = explorerStart({request(encoder)}, "t", 5);
  ASSERT_TRUE(flat.collapse_depth);
  EXPECT_TRUE(flat.collapse_control);  // too big even at --collapse 1: ifs fold too
  const auto data = nlohmann::json::parse(
      renderExplorerData({buildGraphView(encoder.graph, request(encoder).options)}, flat));
  EXPECT_EQ(data["collapse_depth"], 1);
  EXPECT_EQ(data["collapse_control"], true);
}

TEST(GraphExplorer, ThePageIsSelfContainedAndModelTextCannotEndItsScript) {
  ViewNode node;
  node.title = "</script><script>alert(1)</script>";
  node.ir = "%1 : str = prim::Constant[value=\"<!-- x\"]()";
  ExplorerOptions options;
  options.title = "<b>m.pt</b>";
  const std::string page = renderGraphExplorer({oneBoxView("g", node)}, options);
  auto count = [&](const std::string& what) { return occurrences(page, what); };
  // The error hook, the data, and dagre with the explorer: three scripts,
  // each ended once; the model's text did not end one early.
  EXPECT_EQ(count("<script"), 3u);
  EXPECT_EQ(count("</script>"), 3u);
  EXPECT_EQ(count("<!--"), 0u);
  EXPECT_NE(page.find("<title>jitscope graph: &lt;b&gt;m.pt&lt;/b&gt;</title>"), std::string::npos);
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(count("src=\"http"), 0u);
  EXPECT_EQ(count("href=\"http"), 0u);
  EXPECT_NE(page.find("Copyright (c) 2012-2014 Chris Pettitt"), std::string::npos);  // dagre's licence
  EXPECT_EQ(count("sourceMappingURL"), 0u);
  EXPECT_NE(page.find("window.jitscopeExplorer"), std::string::npos);
  // The data reads back as it was written.
  const auto data = explorerData(page, "<script type=\"application/json\" id=\"jx-data\">");
  EXPECT_EQ(data["views"][0]["nodes"][0]["title"], node.title);
  EXPECT_EQ(data["views"][0]["nodes"][0]["ir"], node.ir);
  EXPECT_EQ(data["title"], "<b>m.pt</b>");
}

// The report's graph section is the explorer: one element with the data,
// its style and script once, the finding linked to its box by id; the
// static drawing is gone. Without forward: the note, and no script to fail.
TEST(GraphExplorer, TheReportPageCarriesOneEmbeddedExplorerWithTheFindingLinkedToItsBox) {
  ViewNode node;
  node.title = "neg";
  node.location = "m.py:3";
  node.highlight = "trace-data-dependent-branch: frozen";
  GraphView view = oneBoxView("m.pt  forward", node);
  view.graph_nodes = 1;
  HtmlReportInput in;
  in.model_path = "/x/m.pt";
  Finding finding(CheckId::kTraceDataDependentBranch, "frozen");
  finding.location = {"/src/m.py", 3, 0};
  in.audit.findings.push_back(finding);
  in.views = {view};
  in.explorer.embedded = true;
  in.explorer.collapse_depth = 2;
  const std::string page = renderHtmlReport(in);
  auto count = [&](const std::string& what) { return occurrences(page, what); };
  EXPECT_EQ(count("<div class=\"jx jx-embedded\" id=\"jx\">"), 1u);
  EXPECT_EQ(count("id=\"jx-data\""), 1u);
  EXPECT_EQ(count("<style id=\"jx-style\">"), 1u);
  EXPECT_EQ(count("window.jitscopeExplorer = {"), 1u);
  // The error hook, the data, dagre with the explorer, the report's own.
  EXPECT_EQ(count("<script"), 4u);
  EXPECT_EQ(count("</script>"), 4u);
  EXPECT_EQ(count("<svg"), 0u);  // the explorer draws in the browser
  EXPECT_EQ(count("<h1>"), 1u);  // the report's; the embedded bar has none
  EXPECT_NE(page.find("data-nodes=\"n1\""), std::string::npos);
  EXPECT_NE(page.find("submodules 2 levels deep folded"), std::string::npos);
  EXPECT_NE(page.find("Ctrl+wheel"), std::string::npos);
  const auto data = explorerData(page, "id=\"jx-data\">");
  EXPECT_EQ(data["views"].size(), 1u);
  EXPECT_EQ(data["collapse_depth"], 2);

  in.views.clear();
  in.graph_note = "the model has no forward method to draw";
  const std::string bare = renderHtmlReport(in);
  EXPECT_NE(bare.find("<p>the model has no forward method to draw</p>"), std::string::npos);
  EXPECT_EQ(bare.find("jx-data"), std::string::npos);
  EXPECT_EQ(bare.find("jitscopeExplorer = {"), std::string::npos);
}

}  // namespace
}  // namespace jitscope
