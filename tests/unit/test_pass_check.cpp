// --verify and --bisect on real models: the inference preset keeps
// ResNet18's outputs within the default tolerance; a test-only pass that
// shifts the output is named by the bisection, and verification fails.
#include "jitscope/validators/pass_check.h"

#include <gtest/gtest.h>
#include <torch/csrc/jit/api/module.h>

#include "../lib/test_passes.h"
#include "fixtures.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/model_inputs.h"

namespace jitscope {
namespace {

struct Loaded {
  torch::jit::Module module;
  InputSet inputs;
};

Loaded resnet18() {
  LoadedModel model = loadModel(testing::fixture("resnet18.traced.pt"));
  InputSet inputs = readInputFile(testing::fixture("inputs/resnet18.pt"), *model.module);
  return {*model.module, inputs};
}

std::vector<const PassInfo*> inferenceWith(const std::vector<std::string>& extra) {
  std::vector<std::string> names = findPreset("inference")->passes;
  names.insert(names.begin() + 3, extra.begin(), extra.end());  // after eval, freeze, remove_dropout
  return resolvePasses(names);
}

TEST(PassCheck, InferencePresetKeepsResnetOutputsAtDefaultTolerance) {
  Loaded r = resnet18();
  const auto result = runCheckedPipeline(r.module, inferenceWith({}), {}, r.inputs, {}, OutputCheck::kBisect);
  EXPECT_TRUE(result.ok());
  EXPECT_EQ(result.checks.size(), findPreset("inference")->passes.size());  // checked after every pass
  EXPECT_EQ(result.report.ops_after.count("aten::batch_norm"), 0u);
}

TEST(PassCheck, BisectNamesThePassThatShiftsTheOutput) {
  testing::registerTestPasses();
  Loaded r = resnet18();
  const auto result = runCheckedPipeline(r.module, inferenceWith({"test_shift_output"}), {}, r.inputs, {},
                                         OutputCheck::kBisect);
  ASSERT_TRUE(result.first_difference.has_value());
  EXPECT_EQ(result.checks[*result.first_difference].pass, "test_shift_output");
  EXPECT_EQ(*result.first_difference, 3u);  // eval, freeze, remove_dropout were fine
  const OutputDiff& diff = result.checks[*result.first_difference].comparison.outputs.at(0);
  EXPECT_NEAR(diff.max_abs_diff, 1.0, 1e-5);
  EXPECT_EQ(diff.mismatched, diff.total);
  // The pipeline still ran to the end; checks stop at the first difference.
  EXPECT_EQ(result.report.passes.size(), findPreset("inference")->passes.size() + 1);
  EXPECT_EQ(result.checks.size(), 4u);
}

TEST(PassCheck, VerifyFailsOnlyWhenTheResultDiffers) {
  testing::registerTestPasses();
  Loaded good = resnet18();
  EXPECT_TRUE(runCheckedPipeline(good.module, inferenceWith({}), {}, good.inputs, {}, OutputCheck::kVerify).ok());
  Loaded bad = resnet18();
  const auto result =
      runCheckedPipeline(bad.module, inferenceWith({"test_shift_output"}), {}, bad.inputs, {}, OutputCheck::kVerify);
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.checks.size(), 1u);
  EXPECT_EQ(result.checks[0].pass, "dce");  // compared once, after the last pass
}

}  // namespace
}  // namespace jitscope
