// What `jitscope graph` draws, checked on the view (plain data) rather than
// on pixels: clusters per branch and loop, one edge per use, folding,
// collapse, focus, highlights, stable ids. DOT and images: tests/golden.
#include "jitscope/report/graph_view.h"

#include <gtest/gtest.h>
#include <torch/csrc/jit/api/module.h>

#include <functional>
#include <set>

#include "fixtures.h"
#include "jitscope/core/errors.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/model_inputs.h"
#include "jitscope/inspector/module_info.h"
#include "jitscope/report/graph_dot.h"

namespace jitscope {
namespace {

struct Drawing {
  GraphModel graph;
  GraphView view;
};

Drawing draw(const std::string& name, GraphViewOptions options = {}) {
  const LoadedModel model = loadModel(testing::fixture(name), TensorData::kSkip);
  options.module_types = moduleTypeNames(*model.module);
  Drawing drawing;
  drawing.graph = buildGraphModel(
      *methodGraph(*model.module, "forward", GraphForm::kInlined), "forward", true);
  drawing.view = buildGraphView(drawing.graph, options);
  return drawing;
}

void forEachCluster(const ViewCluster& cluster, const std::function<void(const ViewCluster&)>& f) {
  f(cluster);
  for (const auto& child : cluster.children) forEachCluster(child, f);
}

std::vector<const ViewCluster*> clustersOf(const GraphView& view, ClusterKind kind) {
  std::vector<const ViewCluster*> found;
  forEachCluster(view.root, [&](const ViewCluster& c) {
    if (c.kind == kind) found.push_back(&c);
  });
  return found;
}

const ViewNode* nodeTitled(const GraphView& view, const std::string& title) {
  for (const auto& node : view.nodes) {
    if (node.title == title) return &node;
  }
  return nullptr;
}

size_t countNodes(const GraphBlock& block, const std::function<bool(const GraphNode&)>& keep) {
  size_t n = 0;
  for (const auto& node : block.nodes) {
    if (keep(node)) ++n;
    for (const auto& sub : node.blocks) n += countNodes(sub, keep);
  }
  return n;
}

TEST(GraphView, BranchesOfAnIfAreNestedClusters) {
  const auto [graph, view] = draw("my_cell.scripted.pt");
  const auto ifs = clustersOf(view, ClusterKind::kIf);
  ASSERT_EQ(ifs.size(), 1u);
  EXPECT_NE(ifs[0]->label.find("classic.py:"), std::string::npos) << ifs[0]->label;
  ASSERT_EQ(ifs[0]->children.size(), 2u);
  EXPECT_EQ(ifs[0]->children[0].label, "then");
  EXPECT_EQ(ifs[0]->children[1].label, "else");
  // MyDecisionGate returns x untouched on one side: that branch is drawn
  // with a "no ops" marker, the other holds the neg.
  ASSERT_EQ(ifs[0]->children[0].nodes.size(), 1u);
  EXPECT_EQ(view.nodes[ifs[0]->children[0].nodes[0]].kind, ViewNodeKind::kEmptyBranch);
  ASSERT_EQ(ifs[0]->children[1].nodes.size(), 1u);
  EXPECT_EQ(view.nodes[ifs[0]->children[1].nodes[0]].title, "neg");
  // The if sits in its module's cluster.
  const auto modules = clustersOf(view, ClusterKind::kModule);
  ASSERT_EQ(modules.size(), 1u);
  EXPECT_EQ(modules[0]->label, "dg : MyDecisionGate");
}

TEST(GraphView, TracedCellHasNoControlFlow) {
  const auto [graph, view] = draw("my_cell.traced.pt");
  EXPECT_TRUE(clustersOf(view, ClusterKind::kIf).empty());
  EXPECT_EQ(nodeTitled(view, "neg"), nullptr);
  EXPECT_NE(nodeTitled(view, "tanh"), nullptr);
}

TEST(GraphView, OneDataEdgePerUseOfADrawnValue) {
  for (const char* name : {"my_cell.traced.pt", "resnet18.traced.pt", "bert_tiny.traced.pt"}) {
    const auto [graph, view] = draw(name);
    // Uses of values that are not folded constants, attribute reads or the
    // module itself, counted on the graph independently of the drawing.
    std::set<std::string> folded;
    for (const auto& input : graph.body.inputs) {
      if (input.type.rfind("__torch__.", 0) == 0) folded.insert(input.name);
    }
    std::function<void(const GraphBlock&)> fold = [&](const GraphBlock& block) {
      for (const auto& node : block.nodes) {
        const bool all_folded = std::all_of(node.inputs.begin(), node.inputs.end(),
                                            [&](const auto& v) { return folded.count(v) > 0; });
        if (node.kind == "prim::Constant" || (node.kind == "prim::GetAttr" && all_folded) ||
            ((node.kind == "prim::ListConstruct" || node.kind == "prim::TupleConstruct") &&
             all_folded)) {
          folded.insert(node.outputs.front().name);
        }
      }
    };
    fold(graph.body);
    size_t uses = 0;
    for (const auto& node : graph.body.nodes) {
      if (node.outputs.size() == 1 && folded.count(node.outputs[0].name)) continue;
      for (const auto& input : node.inputs) uses += folded.count(input) ? 0 : 1;
    }
    for (const auto& output : graph.body.outputs) uses += folded.count(output) ? 0 : 1;
    size_t edges = 0;
    for (const auto& edge : view.edges) edges += edge.kind == EdgeKind::kData ? 1 : 0;
    EXPECT_EQ(edges, uses) << name;
    EXPECT_EQ(view.nodes.size() + view.folded_nodes,
              countNodes(graph.body, [](const GraphNode&) { return true; }) +
                  (graph.body.inputs.size() - 1) + 1)
        << name << ": every node is drawn or folded (plus inputs and the return)";
  }
}

TEST(GraphView, ConstantsAndWeightsFoldIntoLabels) {
  const auto [graph, view] = draw("resnet18.traced.pt");
  EXPECT_EQ(nodeTitled(view, "prim::Constant"), nullptr);
  EXPECT_EQ(nodeTitled(view, "prim::GetAttr"), nullptr);
  EXPECT_GT(view.folded_nodes, view.nodes.size());
  const ViewNode* pool = nodeTitled(view, "max_pool2d");
  ASSERT_NE(pool, nullptr);
  EXPECT_NE(std::find(pool->details.begin(), pool->details.end(), "kernel_size=[3, 3]"),
            pool->details.end());
  // conv1's own weight is implied by its module label; the tooltip keeps it.
  const ViewNode* conv = nodeTitled(view, "_convolution");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->module, "conv1 : Conv2d");
  EXPECT_NE(conv->tooltip.find("weight=conv1.weight"), std::string::npos);
}

TEST(GraphView, LoopBodyIsAClusterWithItsBackEdge) {
  const auto [graph, view] = draw("recurrent.scripted.pt");
  const auto loops = clustersOf(view, ClusterKind::kLoop);
  ASSERT_EQ(loops.size(), 1u);
  EXPECT_GT(loops[0]->nodes.size(), 1u);  // header and body ops
  EXPECT_TRUE(std::any_of(view.edges.begin(), view.edges.end(),
                          [](const ViewEdge& e) { return e.kind == EdgeKind::kLoopBack; }));
}

TEST(GraphView, CollapseDrawsEachModuleAsOneNodeWithItsOpCount) {
  GraphViewOptions options;
  options.collapse_depth = 2;
  const auto [graph, view] = draw("resnet18.traced.pt", options);
  std::set<std::string> blocks;
  for (const auto& node : view.nodes) {
    if (node.kind != ViewNodeKind::kModule) continue;
    blocks.insert(node.title);
    ASSERT_FALSE(node.details.empty());
    EXPECT_EQ(node.details.front(), "BasicBlock");
  }
  EXPECT_EQ(blocks, (std::set<std::string>{"layer1.0", "layer1.1", "layer2.0", "layer2.1",
                                           "layer3.0", "layer3.1", "layer4.0", "layer4.1"}));
  const auto full = draw("resnet18.traced.pt").view;
  EXPECT_LT(view.nodes.size() * 3, full.nodes.size());
}

TEST(GraphView, ModulesInsideAModuleListKeepTheListsName) {
  GraphViewOptions options;
  options.collapse_depth = 3;
  const auto [graph, view] = draw("bert_tiny.traced.pt", options);
  EXPECT_NE(nodeTitled(view, "layers.0.attention"), nullptr);
  EXPECT_NE(nodeTitled(view, "layers.1.attention"), nullptr);
  EXPECT_EQ(nodeTitled(view, "0.attention"), nullptr);
}

TEST(GraphView, FocusKeepsTheNeighbourhoodOfALine) {
  GraphViewOptions options;
  options.focus = "classic.py:24";  // the neg in MyDecisionGate
  options.radius = 1;
  const auto [graph, view] = draw("my_cell.scripted.pt", options);
  EXPECT_NE(nodeTitled(view, "neg"), nullptr);
  EXPECT_EQ(nodeTitled(view, "tanh"), nullptr);
  EXPECT_GT(view.hidden_nodes, 0u);

  options.focus = "classic.py:999";
  EXPECT_THROW(draw("my_cell.scripted.pt", options), UsageError);
  options.focus = "nonsense";
  EXPECT_THROW(draw("my_cell.scripted.pt", options), UsageError);
}

TEST(GraphView, HighlightsColourNodesFromALineAndNoteWhatMatchesNothing) {
  GraphViewOptions options;
  const auto plain = draw("my_cell.scripted.pt").view;
  const ViewNode* test = nodeTitled(plain, "if");
  ASSERT_NE(test, nullptr);
  const size_t line = std::stoul(test->location.substr(test->location.find(':') + 1));
  options.highlights.push_back({"jitscope_fixtures/classic.py", line,
                                "trace-data-dependent-branch", "frozen", "dg"});
  const auto scripted = draw("my_cell.scripted.pt", options).view;
  EXPECT_NE(nodeTitled(scripted, "if")->highlight.find("trace-data-dependent-branch"),
            std::string::npos);
  EXPECT_TRUE(clustersOf(scripted, ClusterKind::kIf)[0]->highlighted);
  EXPECT_EQ(nodeTitled(scripted, "tanh")->highlight, "");

  // The trace recorded nothing from that line: a note says so.
  const auto traced = draw("my_cell.traced.pt", options).view;
  const auto note = std::find_if(traced.nodes.begin(), traced.nodes.end(),
                                 [](const ViewNode& n) { return n.kind == ViewNodeKind::kNote; });
  ASSERT_NE(note, traced.nodes.end());
  EXPECT_NE(note->highlight, "");
}

TEST(GraphView, IdsAreStableAcrossLoadsAndPrefixedForASecondView) {
  const auto first = draw("resnet18.traced.pt").view;
  const auto second = draw("resnet18.traced.pt").view;
  ASSERT_EQ(first.nodes.size(), second.nodes.size());
  for (size_t i = 0; i < first.nodes.size(); ++i) EXPECT_EQ(first.nodes[i].id, second.nodes[i].id);
  GraphViewOptions options;
  options.id_prefix = "ref_";
  const auto prefixed = draw("my_cell.scripted.pt", options).view;
  for (const auto& node : prefixed.nodes) EXPECT_EQ(node.id.rfind("ref_", 0), 0u) << node.id;
  forEachCluster(prefixed.root, [](const ViewCluster& c) {
    EXPECT_EQ(c.id.rfind("cluster_ref_", 0), 0u) << c.id;  // Graphviz needs the "cluster" prefix
  });
}

TEST(GraphView, ExampleInputsGiveEveryTensorEdgeItsShape) {
  const LoadedModel model = loadModel(testing::fixture("resnet18.traced.pt"));
  const auto graph = methodGraph(*model.module, "forward", GraphForm::kInlined);
  const InputSet inputs =
      readInputFile(testing::fixture("inputs/resnet18.pt"), *model.module, "forward");
  ASSERT_EQ(recordShapes(graph, *model.module, inputs.args), "");
  GraphViewOptions options;
  options.module_types = moduleTypeNames(*model.module);
  const GraphView view = buildGraphView(buildGraphModel(*graph, "forward", true), options);
  const GraphView plain = draw("resnet18.traced.pt").view;
  ASSERT_EQ(view.nodes.size(), plain.nodes.size());  // the recording left no node behind
  for (size_t i = 0; i < view.nodes.size(); ++i) EXPECT_EQ(view.nodes[i].id, plain.nodes[i].id);
  size_t shaped = 0;
  for (const auto& edge : view.edges) {
    if (edge.kind != EdgeKind::kData || view.nodes[edge.to].kind == ViewNodeKind::kOutput) continue;
    EXPECT_EQ(edge.label.rfind("Float(1, ", 0), 0u) << edge.label;
    ++shaped;
  }
  EXPECT_GT(shaped, 60u);
  // conv1 (stride 2) halves 224 and makes 64 channels.
  const ViewNode* conv = nodeTitled(view, "_convolution");
  const auto out = std::find_if(view.edges.begin(), view.edges.end(), [&](const ViewEdge& e) {
    return &view.nodes[e.from] == conv;
  });
  ASSERT_NE(out, view.edges.end());
  EXPECT_EQ(out->label, "Float(1, 64, 112, 112)");
}

// Labels are Graphviz HTML-like labels: text from the model (string
// constants, module names) goes in as XML text.
TEST(GraphDot, LabelTextIsEscapedAsXml) {
  GraphView view;
  view.title = "g";
  ViewNode node;
  node.id = "n1";
  node.title = "format";
  node.details = {"s='it's <b> & \"q\"'"};
  view.nodes.push_back(node);
  view.root.nodes = {0};
  const std::string dot = renderDot({view});
  EXPECT_NE(dot.find("s=&#39;it&#39;s &lt;b&gt; &amp; &quot;q&quot;&#39;"), std::string::npos) << dot;
}

}  // namespace
}  // namespace jitscope
