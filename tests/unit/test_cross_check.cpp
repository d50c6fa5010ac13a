// crossCheck end to end on fixture models: a model against itself and
// against its other export, the one-weight-changed ResNet18 localized to
// layer3.0.conv2, and CPU vs CUDA (skipped without a CUDA device).
#include "jitscope/validators/cross_check.h"

#include <gtest/gtest.h>
#include <ATen/Context.h>

#include "fixtures.h"
#include "jitscope/core/errors.h"

namespace jitscope {
namespace {

using testing::fixture;

CheckOptions resnetOptions(const std::string& model, const std::string& against) {
  CheckOptions options;
  options.model = fixture(model);
  options.against = fixture(against);
  options.input_files = {fixture("check/inputs/resnet18.pt")};
  options.localize = true;
  return options;
}

TEST(CrossCheck, OneChangedWeightIsLocalizedToItsModule) {
  const CheckReport report =
      crossCheck(resnetOptions("check/resnet18_layer3_0_conv2.scripted.pt", "check/resnet18.scripted.pt"));
  ASSERT_EQ(report.sets.size(), 1u);
  EXPECT_FALSE(report.ok);
  const auto& localize = report.sets[0].localize;
  ASSERT_TRUE(localize);
  ASSERT_TRUE(localize->first);
  const Divergence& first = *localize->first;
  EXPECT_EQ(first.module_path, "layer3.0.conv2");
  EXPECT_EQ(first.op, "aten::conv2d");
  EXPECT_NE(first.location.file.find("torchvision/models/resnet.py"), std::string::npos) << first.location.str();
  EXPECT_FALSE(first.diff.ok);
  EXPECT_EQ(localize->unmatched, 0u);
  // Everything before it was compared and agreed: the convolutions of
  // layer1, layer2 and layer3.0.conv1 come first.
  EXPECT_GT(first.position, 20u);
}

TEST(CrossCheck, AModelAgreesWithItselfNodeByNode) {
  const CheckReport report = crossCheck(resnetOptions("check/resnet18.scripted.pt", "check/resnet18.scripted.pt"));
  EXPECT_TRUE(report.ok);
  ASSERT_TRUE(report.sets[0].localize);
  EXPECT_FALSE(report.sets[0].localize->first);
  EXPECT_GT(report.sets[0].localize->compared, 50u);
  EXPECT_EQ(report.timing.forward_runs, 2u);
}

TEST(CrossCheck, TracedAgainstScriptedResNetAgreesNodeByNode) {
  CheckOptions options = resnetOptions("resnet18.traced.pt", "resnet18.scripted.pt");
  options.input_files = {fixture("inputs/resnet18.pt")};
  const CheckReport report = crossCheck(options);
  EXPECT_TRUE(report.ok);
  const auto& localize = report.sets[0].localize;
  ASSERT_TRUE(localize);
  EXPECT_FALSE(localize->first) << localize->first->op << " " << localize->first->module_path;
  // The traced graph has aten::_convolution where the scripted one has
  // aten::conv2d inside an If: both count as one op, so the graphs align
  // position by position.
  EXPECT_EQ(localize->alignment.rfind("positional", 0), 0u) << localize->alignment;
  EXPECT_GE(localize->compared, 60u);
}

TEST(CrossCheck, FrozenBranchOfMyCellDivergesRightAfterTheGate) {
  // The scripted gate has a prim::If the trace lacks: the graphs differ, so
  // captures align by module path, op and occurrence. Inputs that make the
  // gate negate show the divergence at the add that consumes its output.
  CheckOptions options;
  options.model = fixture("my_cell.traced.pt");
  options.against = fixture("my_cell.scripted.pt");
  options.shapes = {parseShapeSpec("3x4[-5,-1)"), parseShapeSpec("3x4")};
  options.localize = true;
  const CheckReport report = crossCheck(options);
  EXPECT_FALSE(report.ok);
  const auto& localize = report.sets.at(0).localize;
  ASSERT_TRUE(localize);
  EXPECT_EQ(localize->alignment.rfind("by module path", 0), 0u) << localize->alignment;
  ASSERT_TRUE(localize->first);
  EXPECT_EQ(localize->first->op, "aten::add");
  EXPECT_EQ(localize->first->module_path, "");
  EXPECT_NE(localize->first->location.file.find("classic.py"), std::string::npos);
  EXPECT_EQ(localize->first->location.line, 35u);  // new_h = torch.tanh(self.dg(self.linear(x)) + h)
  // With the example inputs (the branch the trace took) everything agrees.
  options.shapes.clear();
  options.input_files = {fixture("inputs/my_cell.pt")};
  const CheckReport same = crossCheck(options);
  EXPECT_TRUE(same.ok);
  EXPECT_FALSE(same.sets.at(0).localize->first);
}

TEST(CrossCheck, RefusesImpossibleRequests) {
  CheckOptions options;
  options.model = fixture("my_cell.traced.pt");
  options.input_files = {fixture("inputs/my_cell.pt")};
  EXPECT_THROW(crossCheck(options), UsageError);  // nothing to compare with
  options.devices = {"cpu", "tpu"};
  EXPECT_THROW(crossCheck(options), UsageError);
}

TEST(CrossCheck, CpuVersusCuda) {
  if (!at::hasCUDA()) GTEST_SKIP() << "no CUDA device";
  CheckOptions options = resnetOptions("resnet18.scripted.pt", "resnet18.scripted.pt");
  options.against.clear();
  options.input_files = {fixture("inputs/resnet18.pt")};
  options.devices = {"cpu", "cuda"};
  const CheckReport report = crossCheck(options);
  ASSERT_EQ(report.sets[0].comparison.outputs.size(), 1u);
  const OutputDiff& d = report.sets[0].comparison.outputs[0];
  EXPECT_TRUE(d.structure_error.empty()) << d.structure_error;
  EXPECT_LT(d.max_abs_diff, 1e-2);  // same math, other kernels: close, rarely bit-equal
  EXPECT_EQ(d.actual_nan, 0);
  ASSERT_TRUE(report.sets[0].localize);
  EXPECT_EQ(report.sets[0].localize->unmatched, 0u);

  options.dtype = c10::ScalarType::Half;
  options.localize = false;
  const CheckReport half = crossCheck(options);
  const OutputDiff& h = half.sets[0].comparison.outputs.at(0);
  EXPECT_EQ(h.dtype, "float16");
  EXPECT_LT(h.max_abs_diff, 0.5);
}

// Errors as data: the setting, its value and the problem, in no front
// end's words (the command line says --device, ci [model.check] 'devices').
TEST(CrossCheck, CudaRequestWithoutCudaIsASettingErrorOfTheDevice) {
  if (at::hasCUDA()) GTEST_SKIP() << "a CUDA device is present";
  CheckOptions options;
  options.model = fixture("my_cell.traced.pt");
  options.input_files = {fixture("inputs/my_cell.pt")};
  options.devices = {"cpu", "cuda"};
  try {
    crossCheck(options);
    FAIL() << "no SettingError";
  } catch (const SettingError& e) {
    EXPECT_EQ(e.setting(), Setting::kDevice);
    EXPECT_EQ(e.value(), "cuda");
    EXPECT_EQ(e.problem(), "needs a CUDA device; this machine (or this LibTorch build) has none");
    EXPECT_EQ(e.worded("--device"),
              "--device 'cuda': needs a CUDA device; this machine (or this LibTorch build) has none");
  }
}

TEST(CrossCheck, AnUnknownDeviceIsASettingErrorNamingWhatIsAllowed) {
  CheckOptions options;
  options.model = fixture("my_cell.traced.pt");
  options.against = fixture("my_cell.scripted.pt");
  options.input_files = {fixture("inputs/my_cell.pt")};
  options.devices = {"tpu"};
  try {
    crossCheck(options);
    FAIL() << "no SettingError";
  } catch (const SettingError& e) {
    EXPECT_EQ(e.setting(), Setting::kDevice);
    EXPECT_EQ(e.value(), "tpu");
    EXPECT_EQ(e.problem(), "unknown device");
    EXPECT_EQ(e.allowed(), "use cpu or cuda[:N]");
    EXPECT_EQ(std::string(e.what()), "device 'tpu': unknown device; use cpu or cuda[:N]");  // the plain name
  }
}

}  // namespace
}  // namespace jitscope
