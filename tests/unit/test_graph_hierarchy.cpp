// The hierarchical layout (layOutHierarchically): every box placed inside
// the frame of each module around it, every use drawn as one curve, modules
// of the same structure laid out once, modules on a cycle of their parent
// laid out inline, and the SVG drawn from the placement keeping every id.
#include <gtest/gtest.h>
#include <torch/csrc/jit/api/module.h>

#include <functional>
#include <string>

#include "fixtures.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/module_info.h"
#include "jitscope/report/graph_dot.h"
#include "jitscope/report/graph_hierarchy.h"
#include "jitscope/report/graph_view.h"
#include "jitscope/report/graphviz_render.h"

namespace jitscope {
namespace {

GraphView readView(const std::string& name) {
  const LoadedModel model = loadModel(testing::fixture(name), TensorData::kSkip);
  const GraphModel graph =
      buildGraphModel(*methodGraph(*model.module, "forward", GraphForm::kInlined), "forward", true);
  GraphViewOptions options;
  options.title = name;
  options.module_types = moduleTypeNames(*model.module);
  return buildGraphView(graph, options);
}

bool inside(const NodePlacement& node, const LayoutBox& box) {
  const double slack = 0.5;  // rounding of the frames' sizes
  return node.center.x - node.width / 2 >= box.x0 - slack && node.center.x + node.width / 2 <= box.x1 + slack &&
         node.center.y - node.height / 2 >= box.y0 - slack && node.center.y + node.height / 2 <= box.y1 + slack;
}

// Each box lies inside the frame of every module cluster that holds it.
void expectNested(const GraphView& view, const DrawingPlacement& placement) {
  std::function<void(const ViewCluster&, std::vector<const ViewCluster*>&)> walk =
      [&](const ViewCluster& cluster, std::vector<const ViewCluster*>& around) {
        const bool framed = cluster.kind == ClusterKind::kModule && placement.clusters.count(cluster.id) > 0;
        if (framed) around.push_back(&cluster);
        for (size_t index : cluster.nodes) {
          const ViewNode& node = view.nodes[index];
          ASSERT_TRUE(placement.nodes.count(node.id)) << node.id << " has no place";
          for (const ViewCluster* frame : around) {
            EXPECT_TRUE(inside(placement.nodes.at(node.id), placement.clusters.at(frame->id).box))
                << node.id << " (" << node.title << ") outside " << frame->label;
          }
        }
        for (const auto& child : cluster.children) walk(child, around);
        if (framed) around.pop_back();
      };
  std::vector<const ViewCluster*> around;
  walk(view.root, around);
}

void expectCurves(const GraphView& view, const DrawingPlacement& placement) {
  ASSERT_EQ(placement.edges.size(), 1u);
  ASSERT_EQ(placement.edges[0].size(), view.edges.size());
  for (size_t e = 0; e < view.edges.size(); ++e) {
    const auto& curve = placement.edges[0][e].curve;
    EXPECT_GE(curve.size(), 4u) << "edge " << e;
    EXPECT_EQ(curve.size() % 3, 1u) << "edge " << e << " is not a chain of cubic pieces";
  }
}

TEST(GraphHierarchy, ResNetBlocksShareLayoutsAndNestInTheirFrames) {
  const GraphView view = readView("resnet18.traced.pt");
  HierarchyStats stats;
  const DrawingPlacement placement = layOutHierarchically({view}, layOutDot, &stats);
  // The root, layer1..4, their eight BasicBlocks and three downsamples (a
  // block's ReLU, called twice, is drawn inline).
  EXPECT_EQ(stats.parts, 16u);
  EXPECT_EQ(stats.inlined, 8u);
  // layer2..4 have the same structure (a block with a downsample, then one
  // without), and so do their first blocks and downsamples.
  EXPECT_LE(stats.layouts, 9u) << "identical blocks were laid out again";
  EXPECT_EQ(placement.nodes.size(), view.nodes.size());
  expectNested(view, placement);
  expectCurves(view, placement);
}

TEST(GraphHierarchy, BertLayersAreLaidOutOnce) {
  const GraphView view = readView("bert_tiny.traced.pt");
  HierarchyStats stats;
  const DrawingPlacement placement = layOutHierarchically({view}, layOutDot, &stats);
  EXPECT_LT(stats.layouts, stats.parts);
  EXPECT_LT(hierarchicalLayoutWork(view), layoutWork(view));
  expectNested(view, placement);
  expectCurves(view, placement);
}

TEST(GraphHierarchy, SvgDrawnFromThePlacementKeepsEveryId) {
  const GraphView view = readView("resnet18.scripted.pt");
  const DrawingPlacement placement = layOutHierarchically({view}, layOutDot);
  const std::string svg = renderGraphviz(renderDot({view}, &placement), ImageFormat::kSvg, GraphvizLayout::kGiven);
  for (const auto& node : view.nodes) {
    EXPECT_NE(svg.find("id=\"" + node.id + "\""), std::string::npos) << node.id;
  }
  EXPECT_NE(svg.find("id=\"" + view.root.children.front().id + "\""), std::string::npos);
}

// input -> relu(first call) -> add -> relu(second call) -> output, with the
// two calls in one module cluster: as one box it would feed itself.
TEST(GraphHierarchy, ModuleOnACycleOfItsParentIsLaidOutInline) {
  GraphView view;
  auto node = [&](const std::string& id, ViewNodeKind kind) {
    ViewNode n;
    n.id = id;
    n.kind = kind;
    n.title = id;
    view.nodes.push_back(n);
    return view.nodes.size() - 1;
  };
  const size_t x = node("n0", ViewNodeKind::kInput), r1 = node("n1", ViewNodeKind::kOp),
               add = node("n2", ViewNodeKind::kOp), r2 = node("n3", ViewNodeKind::kOp),
               out = node("n4", ViewNodeKind::kOutput);
  view.root.id = "cluster_root";
  view.root.nodes = {x, add, out};
  ViewCluster relu;
  relu.id = "cluster_relu";
  relu.kind = ClusterKind::kModule;
  relu.label = "relu : ReLU";
  relu.nodes = {r1, r2};
  view.root.children.push_back(relu);
  view.edges = {{x, r1}, {r1, add}, {x, add}, {add, r2}, {r2, out}};
  HierarchyStats stats;
  const DrawingPlacement placement = layOutHierarchically({view}, layOutDot, &stats);
  EXPECT_EQ(stats.inlined, 1u);
  EXPECT_EQ(stats.parts, 1u);
  EXPECT_EQ(placement.nodes.size(), view.nodes.size());
  // Drawn top to bottom in data order, as the flat layout would.
  EXPECT_GT(placement.nodes.at("n1").center.y, placement.nodes.at("n2").center.y);
  EXPECT_GT(placement.nodes.at("n2").center.y, placement.nodes.at("n3").center.y);
  expectNested(view, placement);
  expectCurves(view, placement);
}

}  // namespace
}  // namespace jitscope
