// IR printing: our printer keeps PyTorch's layout, and --source comments
// point at the user's Python lines, not at the archive's code/ files.
#include "jitscope/inspector/ir_text.h"

#include <gtest/gtest.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/irparser.h>
#include <torch/csrc/jit/testing/file_check.h>

#include <fstream>

#include "fixtures.h"
#include "jitscope/inspector/graph_model.h"
#include "jitscope/inspector/model.h"

namespace jitscope {
namespace {

using torch::jit::testing::FileCheck;

std::shared_ptr<torch::jit::Graph> parse(const std::string& ir) {
  auto graph = std::make_shared<torch::jit::Graph>();
  torch::jit::parseIR(ir, graph.get());
  return graph;
}

// 1-based line of the first line of `file` containing `needle`.
size_t lineOf(const std::string& file, const std::string& needle) {
  std::ifstream in(file);
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.find(needle) != std::string::npos) return number;
  }
  ADD_FAILURE() << "'" << needle << "' not found in " << file;
  return 0;
}

const std::string kClassicSource =
    std::string(JITSCOPE_SOURCE_DIR) + "/models/jitscope_fixtures/classic.py";

// The inlined forward graph of fixture `name`, printed with the source
// comments --source prints.
std::string printedForward(const std::string& name) {
  const LoadedModel model = loadModel(testing::fixture(name));
  return printGraph(*methodGraph(*model.module, "forward", GraphForm::kInlined), SourceComments::kOriginal);
}

TEST(PrintGraph, MatchesPyTorchLayoutForStraightLineGraphs) {
  const auto graph = parse(R"IR(
graph(%x : Tensor, %y : Tensor):
  %one : int = prim::Constant[value=1]()
  %sum : Tensor = aten::add(%x, %y, %one)
  %out : Tensor = aten::tanh(%sum)
  return (%out)
)IR");
  EXPECT_EQ(printGraph(*graph, SourceComments::kNone), graph->toString(false));
}

TEST(PrintGraph, PrintsNestedBlocks) {
  const auto graph = parse(R"IR(
graph(%x : Tensor, %c : bool):
  %r : Tensor = prim::If(%c)
    block0():
      -> (%x)
    block1():
      %n : Tensor = aten::neg(%x)
      -> (%n)
  return (%r)
)IR");
  const std::string text = printGraph(*graph, SourceComments::kNone);
  FileCheck()
      .check("prim::If(%c)")
      ->check_next("block0():")
      ->check_next("-> (%x)")
      ->check_next("block1():")
      ->check_next("aten::neg(%x)")
      ->check_next("-> (%")
      ->check_next("return (%")
      ->run(text);
  EXPECT_EQ(text.find(" # "), std::string::npos) << text;
}

TEST(PrintGraph, TracedNodesPointAtTheUsersPythonLine) {
  const std::string text = printedForward("my_cell.traced.pt");
  const std::string cell_line = std::to_string(lineOf(kClassicSource, "torch.tanh("));
  // aten::linear runs inside torch/nn/modules/linear.py; the comment names
  // the user's frame that called it, and the submodule it belongs to.
  FileCheck()
      .check("aten::linear")
      ->check_same("classic.py:" + cell_line + " (linear)")
      ->check("aten::tanh")
      ->check_same("classic.py:" + cell_line)
      ->run(text);
  EXPECT_EQ(text.find("code/__torch__"), std::string::npos) << text;
}

TEST(PrintGraph, ScriptedNodesCarryLineAndColumn) {
  const std::string text = printedForward("my_cell.scripted.pt");
  const std::string if_line = std::to_string(lineOf(kClassicSource, "if x.sum() > 0"));
  FileCheck()
      .check("aten::sum")
      ->check_same("classic.py:" + if_line + ":")
      ->check_same("(dg)")
      ->check("prim::If")
      ->check_same("classic.py:" + if_line + ":")
      ->run(text);
}

TEST(GraphModel, KeepsNestingAndSources) {
  const LoadedModel model = loadModel(testing::fixture("my_cell.scripted.pt"));
  const auto graph = methodGraph(*model.module, "forward", GraphForm::kInlined);
  const GraphModel g = buildGraphModel(*graph, "forward", /*inlined=*/true);
  const GraphNode* if_node = nullptr;
  for (const auto& node : g.body.nodes) {
    if (node.kind == "prim::If") if_node = &node;
  }
  ASSERT_NE(if_node, nullptr);
  ASSERT_EQ(if_node->blocks.size(), 2u);
  EXPECT_EQ(if_node->source.origin, NodeOrigin::kScripted);
  EXPECT_EQ(if_node->source.module_path, "dg");
  EXPECT_EQ(if_node->source.location.line, lineOf(kClassicSource, "if x.sum() > 0"));
}

TEST(PrintMethodCode, PrintsTorchScript) {
  const LoadedModel model = loadModel(testing::fixture("my_cell.scripted.pt"));
  FileCheck().check("def forward(")->check("torch.tanh")->run(
      printMethodCode(*model.module, "forward"));
}

}  // namespace
}  // namespace jitscope
