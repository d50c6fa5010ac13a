// readRequirements reads operators from code records without compiling
// them; the compiled graphs of the same archive are the ground truth.
#include <gtest/gtest.h>

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>

#include <unistd.h>

#include <set>
#include <string>

#include "fixtures.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/requirements.h"

namespace jitscope {
namespace {

void collectKinds(const torch::jit::Block& block, std::set<std::string>& kinds) {
  for (const torch::jit::Node* node : block.nodes()) {
    kinds.insert(node->kind().toQualString());
    for (const torch::jit::Block* inner : node->blocks()) collectKinds(*inner, kinds);
  }
}

// Every node kind of every function LibTorch compiled from the archive.
std::set<std::string> compiledKinds(const torch::jit::Module& module) {
  std::set<std::string> kinds;
  for (const auto& function : module._ivalue()->compilation_unit()->get_functions()) {
    if (auto* graph_function = dynamic_cast<torch::jit::GraphFunction*>(function)) {
      collectKinds(*graph_function->graph()->block(), kinds);
    }
  }
  return kinds;
}

class RequirementsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RequirementsTest, EveryOperatorReadIsOneTheCompilerEmits) {
  const LoadedModel model = loadModel(testing::fixture(GetParam()), TensorData::kSkip);
  const ModelRequirements needs = readRequirements(model.archive);
  ASSERT_FALSE(needs.calls.empty());
  const auto kinds = compiledKinds(*model.module);
  for (const auto& [op, count] : needs.operatorCounts()) {
    EXPECT_TRUE(kinds.count(op)) << op << " was read from the code but is in no compiled graph";
  }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RequirementsTest,
                         ::testing::Values("resnet18.scripted.pt", "resnet18.traced.pt", "bert_tiny.scripted.pt",
                                           "bert_tiny.traced.pt", "my_cell.scripted.pt", "recurrent.traced.pt",
                                           "transformer_encoder.scripted.pt"),
                         [](const auto& info) { return testing::testNameFor(info.param); });

TEST(Requirements, ReadsACustomOperatorThatIsNotRegistered) {
  // ssdlite calls torchvision::nms; no library is loaded in this test, so
  // LibTorch cannot load the file, and the requirements are read anyway.
  const std::string path = testing::fixture("detection/ssdlite.scripted.pt");
  if (::access(path.c_str(), R_OK) != 0) GTEST_SKIP() << "no detection fixture here (models/README.md)";
  const ModelRequirements needs = readRequirements(path);
  EXPECT_TRUE(needs.namespaces().count("torchvision"));
  const auto counts = needs.operatorCounts();
  ASSERT_TRUE(counts.count("torchvision::nms"));
  for (const auto& call : needs.calls) {
    if (call.op != "torchvision::nms") continue;
    EXPECT_EQ(call.positional, 3u) << call.location.str();  // nms(boxes, scores, iou_threshold)
    EXPECT_GT(call.location.line, 0u);
  }
}

TEST(Requirements, ReadsDevicesAndDtypesFixedInTheCode) {
  // recurrent.traced.pt: torch.zeros([...], dtype=6, device=torch.device("cpu"))
  const ModelRequirements needs = readRequirements(testing::fixture("recurrent.traced.pt"));
  EXPECT_TRUE(needs.deviceNames().count("cpu"));
  EXPECT_TRUE(needs.dtypeNames().count("Float"));
}

}  // namespace
}  // namespace jitscope
