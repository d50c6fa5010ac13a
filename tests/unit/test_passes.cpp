// The pass registry and the pipeline runner on real fixtures: every
// registered pass leaves valid IR (Graph::lint) and the same outputs; the
// inference preset shrinks ResNet18, MobileNetV3 and the BERT-like model,
// keeps their outputs within tolerance, and its saved file loads again.
#include "jitscope/passes/pipeline.h"

#include <gtest/gtest.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <fstream>
#include <iterator>
#include <map>

#include "fixtures.h"
#include "jitscope/core/errors.h"
#include "jitscope/inspector/model.h"
#include "jitscope/passes/registry.h"

namespace jitscope {
namespace {

using c10::IValue;
using torch::jit::Module;

// Fixture models with the inputs their generator saved beside them.
struct Fixture {
  std::string model;   ///< relative to build/models
  std::string inputs;  ///< relative to build/models
};

const std::vector<Fixture>& lintFixtures() {
  static const std::vector<Fixture> list = {
      {"my_cell.scripted.pt", "inputs/my_cell.pt"},
      {"resnet18.traced.pt", "inputs/resnet18.pt"},
      {"bert_tiny.traced.pt", "inputs/bert_tiny.pt"},
      {"recurrent.scripted.pt", "inputs/recurrent.pt"},
      {"mixing_script_calls_trace.pt", "inputs/mixing_script_calls_trace.pt"},
  };
  return list;
}

// Loading is the slow part; each test works on a clone.
const Module& loaded(const std::string& model) {
  static std::map<std::string, Module> cache;
  auto it = cache.find(model);
  if (it == cache.end()) it = cache.emplace(model, *loadModel(testing::fixture(model)).module).first;
  return it->second;
}

std::vector<IValue> readInputs(const std::string& relative) {
  std::ifstream in(testing::fixture(relative), std::ios::binary);
  const IValue value = torch::jit::pickle_load(std::vector<char>(std::istreambuf_iterator<char>(in), {}));
  if (value.isTuple()) return value.toTupleRef().elements().vec();
  return {value};
}

void flatten(const IValue& value, std::vector<at::Tensor>& out) {
  if (value.isTensor()) {
    out.push_back(value.toTensor());
  } else if (value.isTuple()) {
    for (const auto& item : value.toTupleRef().elements()) flatten(item, out);
  } else if (value.isList()) {
    for (const auto& item : value.toListRef()) flatten(item, out);
  }
}

std::vector<at::Tensor> run(Module module, const std::vector<IValue>& inputs) {
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> tensors;
  flatten(module.forward(inputs), tensors);
  return tensors;
}

// Outputs agree within float32 tolerance (folding batch norm into a
// convolution reorders float arithmetic, so exact equality is too strict).
void expectClose(const std::vector<at::Tensor>& actual, const std::vector<at::Tensor>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    ASSERT_EQ(actual[i].sizes(), expected[i].sizes()) << "output " << i;
    EXPECT_TRUE(actual[i].allclose(expected[i], /*rtol=*/1e-4, /*atol=*/1e-5))
        << "output " << i << " differs by " << actual[i].sub(expected[i]).abs().max().item<double>();
  }
}

// What a pass needs, run first: eval for eval mode, eval + freeze for frozen.
std::vector<std::string> withPrerequisites(const PassInfo& pass) {
  std::vector<std::string> names;
  if (has(pass.needs, PassNeeds::kFrozen)) {
    names = {"eval", "freeze"};
  } else if (has(pass.needs, PassNeeds::kEvalMode)) {
    names = {"eval"};
  }
  names.push_back(pass.name);
  return names;
}

struct PassCase {
  std::string pass;
  Fixture fixture;
};

void PrintTo(const PassCase& c, std::ostream* out) { *out << c.pass << " on " << c.fixture.model; }

std::vector<PassCase> passCases() {
  std::vector<PassCase> cases;
  for (const auto& pass : registeredPasses()) {
    for (const auto& fixture : lintFixtures()) cases.push_back({pass.name, fixture});
  }
  return cases;
}

class EveryPass : public ::testing::TestWithParam<PassCase> {};

TEST_P(EveryPass, KeepsGraphValidAndOutputsClose) {
  const PassCase& c = GetParam();
  const std::vector<IValue> inputs = readInputs(c.fixture.inputs);
  Module module = loaded(c.fixture.model).clone();
  module.eval();  // outputs compared in eval mode: dropout would differ run to run
  const auto expected = run(loaded(c.fixture.model).clone(), inputs);

  const PipelineReport report =
      runPipeline(module, resolvePasses(withPrerequisites(*findPass(c.pass))), PipelineOptions{});
  ASSERT_FALSE(report.passes.empty());
  for (const auto& method : methodNames(module)) {
    EXPECT_NO_THROW(module.get_method(method).graph()->lint()) << method;
  }
  expectClose(run(module, inputs), expected);
}

INSTANTIATE_TEST_SUITE_P(Registry, EveryPass, ::testing::ValuesIn(passCases()),
                         [](const ::testing::TestParamInfo<PassCase>& info) {
                           return testing::testNameFor(info.param.pass + "_on_" + info.param.fixture.model);
                         });

class InferencePreset : public ::testing::TestWithParam<Fixture> {};

TEST_P(InferencePreset, ShrinksKeepsOutputsAndSavesLoadable) {
  const Fixture& f = GetParam();
  const std::vector<IValue> inputs = readInputs(f.inputs);
  Module original = loaded(f.model).clone();
  original.eval();
  const auto expected = run(original, inputs);

  Module module = loaded(f.model).clone();
  const PipelineReport report =
      runPipeline(module, resolvePasses(findPreset("inference")->passes), PipelineOptions{});
  EXPECT_LT(report.nodes_after, report.nodes_before);
  EXPECT_TRUE(isFrozen(module));
  EXPECT_EQ(report.ops_after.count("prim::GetAttr"), 0u);
  expectClose(run(module, inputs), expected);

  const std::string saved = ::testing::TempDir() + "/inference_" + testing::testNameFor(f.model);
  saveModel(module, saved);
  const LoadedModel reloaded = loadModel(saved);
  expectClose(run(*reloaded.module, inputs), expected);
}

INSTANTIATE_TEST_SUITE_P(Models, InferencePreset,
                         ::testing::Values(Fixture{"resnet18.traced.pt", "inputs/resnet18.pt"},
                                           Fixture{"mobilenet_v3_small.traced.pt", "inputs/mobilenet_v3_small.pt"},
                                           Fixture{"bert_tiny.traced.pt", "inputs/bert_tiny.pt"}),
                         [](const ::testing::TestParamInfo<Fixture>& info) {
                           return testing::testNameFor(info.param.model);
                         });

TEST(InferencePreset, FoldsBatchNormAndDropout) {
  Module resnet = loaded("resnet18.traced.pt").clone();
  const auto resnet_report = runPipeline(resnet, resolvePasses(findPreset("inference")->passes), {});
  EXPECT_GT(resnet_report.ops_before.at("aten::batch_norm"), 0u);
  EXPECT_EQ(resnet_report.ops_after.count("aten::batch_norm"), 0u);

  Module bert = loaded("bert_tiny.traced.pt").clone();
  const auto bert_report = runPipeline(bert, resolvePasses(findPreset("inference")->passes), {});
  EXPECT_GT(bert_report.ops_before.at("aten::dropout"), 0u);
  EXPECT_EQ(bert_report.ops_after.count("aten::dropout"), 0u);
}

TEST(MobilePreset, PrepacksResnetSavesLoadsAndKeepsOutputs) {
  const std::vector<IValue> inputs = readInputs("inputs/resnet18.pt");
  Module original = loaded("resnet18.traced.pt").clone();
  original.eval();
  const auto expected = run(original, inputs);
  Module module = loaded("resnet18.traced.pt").clone();
  const auto report = runPipeline(module, resolvePasses(findPreset("mobile")->passes), {});
  EXPECT_EQ(report.ops_after.count("aten::_convolution"), 0u);
  EXPECT_GT(report.ops_after.count("prepacked::conv2d_clamp_run"), 0u);
  const std::string saved = ::testing::TempDir() + "/mobile_resnet18.pt";
  saveModel(module, saved);
  expectClose(run(*loadModel(saved).module, inputs), expected);
}

TEST(Pipeline, StatsNameWhatAppearedAndVanished) {
  Module module = loaded("resnet18.traced.pt").clone();
  const auto report = runPipeline(module, resolvePasses({"eval", "freeze", "fold_frozen_conv_bn", "dce"}), {});
  ASSERT_EQ(report.passes.size(), 4u);
  EXPECT_FALSE(report.passes[0].changed);  // eval changes no graph
  const PassStats& freeze = report.passes[1];
  EXPECT_TRUE(freeze.changed);
  EXPECT_NE(std::find(freeze.vanished.begin(), freeze.vanished.end(), "prim::GetAttr"), freeze.vanished.end());
  EXPECT_LT(freeze.nodes_after, freeze.nodes_before);
  const PassStats& fold = report.passes[2];
  EXPECT_EQ(fold.vanished, std::vector<std::string>({"aten::batch_norm"}));
  EXPECT_EQ(fold.count_changes.at("aten::batch_norm"), -20);  // ResNet18 has 20 BatchNorm layers
  EXPECT_EQ(fold.nodes_before, freeze.nodes_after);
  EXPECT_EQ(report.nodes_after, report.passes.back().nodes_after);
}

TEST(Pipeline, RefusesAPassWhoseNeedsDoNotHoldBeforeRunningAnything) {
  Module module = loaded("resnet18.traced.pt").clone();
  try {
    runPipeline(module, resolvePasses({"dce", "fold_frozen_conv_bn"}), {});
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "pass 'fold_frozen_conv_bn' needs a frozen module; run 'freeze' before it");
  }
  EXPECT_FALSE(isFrozen(module));
}

TEST(Pipeline, PrintsIrAfterNamedPassUnderBanner) {
  Module module = loaded("my_cell.scripted.pt").clone();
  std::string printed;
  PipelineOptions options;
  options.after_pass.push_back(
      printIrAfter(IrPrintWhen::kNamed, {"dce"}, [&](const std::string& text) { printed += text; }));
  runPipeline(module, resolvePasses({"inline", "dce"}), options);
  EXPECT_EQ(printed.rfind("# -----// IR Dump After dce //----- #\ngraph(%self", 0), 0u) << printed;
  EXPECT_EQ(printed.find("IR Dump After inline"), std::string::npos);
}

TEST(Pipeline, CanonicalizeInstallsTheNewGraph) {
  Module module = loaded("my_cell.scripted.pt").clone();
  const auto before = module.get_method("forward").graph();
  runPipeline(module, resolvePasses({"canonicalize"}), {});
  EXPECT_NE(module.get_method("forward").graph().get(), before.get());
  EXPECT_EQ(module.get_method("forward").function().getSchema().arguments().size(), 3u);
}

TEST(Registry, LooksUpKebabCaseAndSuggestsCloseNames) {
  ASSERT_NE(findPass("constant-propagation"), nullptr);
  EXPECT_EQ(findPass("constant-propagation")->name, "constant_propagation");
  EXPECT_EQ(findPass("dcee"), nullptr);
  try {
    resolvePasses({"dce", "dcee"});
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown pass 'dcee', did you mean 'dce'?");
  }
  const auto close = closePassNames("fold");
  EXPECT_NE(std::find(close.begin(), close.end(), "fold_conv_bn"), close.end());
  EXPECT_NE(std::find(close.begin(), close.end(), "fold_frozen_conv_bn"), close.end());
}

TEST(Registry, PresetsNameOnlyRegisteredPasses) {
  for (const auto& preset : presets()) {
    EXPECT_EQ(resolvePasses(preset.passes).size(), preset.passes.size()) << preset.name;
  }
}

}  // namespace
}  // namespace jitscope
