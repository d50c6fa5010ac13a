// trace-baked-device: the devices a trace pins, judged against the Python
// that asked for them (models/jitscope_fixtures/devices.py, whose
// `# device:` comments mark the lines), and a run that fails on another
// device turned into that finding.
#include <gtest/gtest.h>
#include <torch/csrc/jit/api/module.h>
#include <ATen/ATen.h>

#include <fstream>

#include "../../validators/src/device_checks.h"
#include "../../validators/src/device_spelling.h"
#include "fixtures.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/pinned_devices.h"
#include "jitscope/report/check_render.h"
#include "jitscope/validators/check_report.h"
#include "jitscope/validators/snapshot.h"
#include "jitscope/validators/trace_audit.h"

namespace jitscope {
namespace {

const std::string kSource = std::string(JITSCOPE_SOURCE_DIR) + "/models/jitscope_fixtures/devices.py";

// The line of devices.py carrying `# device: <marker>`.
size_t markedLine(const std::string& marker) {
  std::ifstream in(kSource);
  std::string text;
  for (size_t n = 1; std::getline(in, text); ++n) {
    if (text.find("# device: " + marker) != std::string::npos) return n;
  }
  ADD_FAILURE() << "no '# device: " << marker << "' in " << kSource;
  return 0;
}

AuditReport audit(const std::string& fixture) {
  AuditOptions options;
  options.source_roots = {std::string(JITSCOPE_SOURCE_DIR) + "/models"};
  return auditModel(loadModel(testing::fixture(fixture)), options);
}

std::vector<Finding> deviceFindings(const AuditReport& report) {
  std::vector<Finding> out;
  for (const auto& f : report.findings) {
    if (f.check == "trace-baked-device") out.push_back(f);
  }
  return out;
}

std::string describe(const std::vector<Finding>& findings) {
  std::string text;
  for (const auto& f : findings) text += "  " + f.location.str() + ": " + f.message + "\n";
  return text.empty() ? "  (none)\n" : text;
}

// The device findings of `fixture`'s audit, expected to be one, at the line
// of devices.py marked `marker`.
std::vector<Finding> oneFindingAt(const std::string& fixture, const std::string& marker) {
  const auto found = deviceFindings(audit(fixture));
  EXPECT_EQ(found.size(), 1u) << describe(found);
  if (!found.empty()) EXPECT_EQ(found[0].location.line, markedLine(marker));
  return found;
}

// `finding`'s message names each of `words`.
void expectMentions(const Finding& finding, std::initializer_list<const char*> words) {
  for (const char* word : words) {
    EXPECT_NE(finding.message.find(word), std::string::npos) << "no '" << word << "' in " << finding.message;
  }
}

TEST(BakedDevice, ArangeOnTheInputsDeviceIsAWarningAtItsLine) {
  const auto found = oneFindingAt("devices/arange_from_input.traced.pt", "from-tensor");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::kWarning);
  expectMentions(found[0], {"x.device", "aten::arange"});
  bool says_consequence = false;
  for (const auto& note : found[0].notes) {
    says_consequence = says_consequence || note.find("Expected all tensors to be on the same device") != std::string::npos;
    EXPECT_EQ(note.find("IR-only"), std::string::npos) << note;
  }
  EXPECT_TRUE(says_consequence);
}

TEST(BakedDevice, ZerosWithNoDeviceIsReportedAsANote) {
  // Eager torch.zeros(4) uses the default device too: not a loss of tracing,
  // but still pinned for a model served elsewhere.
  const auto found = oneFindingAt("devices/zeros_no_device.traced.pt", "absent");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::kNote);
}

TEST(BakedDevice, ALiteralDeviceIsWhatTheUserAskedFor) {
  const auto report = audit("devices/zeros_literal_cpu.traced.pt");
  EXPECT_TRUE(deviceFindings(report).empty()) << describe(deviceFindings(report));
}

TEST(BakedDevice, AModelWithoutDeviceTakingOpsIsClean) {
  const auto report = audit("devices/no_device_ops.traced.pt");
  EXPECT_TRUE(deviceFindings(report).empty()) << describe(deviceFindings(report));
  EXPECT_FALSE(report.lossy());
}

TEST(BakedDevice, OnesLikeFollowsTheInputInEagerButNotInTheTrace) {
  const auto found = deviceFindings(audit("devices/ones_like.traced.pt"));
  const LoadedModel model = loadModel(testing::fixture("devices/ones_like.traced.pt"));
  if (found.empty() &&
      findPinnedDevices(*methodGraph(*model.module, "forward", GraphForm::kInlined)).empty()) {
    GTEST_SKIP() << "this tracer (torch 2.x) keeps ones_like's device unpinned: nothing baked";
  }
  ASSERT_EQ(found.size(), 1u) << describe(found);
  EXPECT_EQ(found[0].location.line, markedLine("follows-input"));
  EXPECT_EQ(found[0].severity, Severity::kWarning);
}

TEST(BakedDevice, OpsOnOneLineAreOneFindingListingThem) {
  const auto found = oneFindingAt("devices/randn_to_device.traced.pt", "two-ops");
  ASSERT_EQ(found.size(), 1u);
  expectMentions(found[0], {"aten::randn", "aten::to"});
}

TEST(BakedDevice, AFactoryMovedByTypeAsIsLeftAlone) {
  const auto report = audit("devices/zeros_type_as.traced.pt");
  EXPECT_TRUE(deviceFindings(report).empty()) << describe(deviceFindings(report));
}

TEST(BakedDevice, ACallOverSeveralLinesIsReadToItsClosingBracket) {
  const auto found = oneFindingAt("devices/multi_line_arange.traced.pt", "multi-line");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].severity, Severity::kWarning);
  expectMentions(found[0], {"x.device"});
}

TEST(BakedDevice, WithoutTheSourceAPinnedDeviceIsStillAFindingMarkedIrOnly) {
  const auto found = deviceFindings(audit("devices/nosource/arange_from_input.traced.pt"));
  ASSERT_EQ(found.size(), 1u) << describe(found);
  EXPECT_EQ(found[0].location.line, markedLine("from-tensor"));  // the copy kept the lines
  bool ir_only = false;
  for (const auto& note : found[0].notes) ir_only = ir_only || note.find("IR-only") != std::string::npos;
  EXPECT_TRUE(ir_only);
}

TEST(BakedDevice, ScriptedReferencesAreNotAudited) {
  const auto report = audit("devices/arange_from_input.scripted.pt");
  EXPECT_TRUE(deviceFindings(report).empty()) << describe(deviceFindings(report));
}

TEST(PinnedDevices, SummaryCountsUsesByDeviceOpAndLine) {
  const LoadedModel model = loadModel(testing::fixture("devices/randn_to_device.traced.pt"));
  const auto graph = methodGraph(*model.module, "forward", GraphForm::kInlined);
  const auto summary = summarizePinnedDevices(findPinnedDevices(*graph));
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[0].device, "cpu");
  EXPECT_EQ(summary[0].op, "aten::randn");
  EXPECT_EQ(summary[1].op, "aten::to");
  EXPECT_EQ(summary[0].location.line, markedLine("two-ops"));
  EXPECT_EQ(summary[1].count, 1u);
}

TEST(PinnedDevices, SnapshotListsThemByBaseNameAndReadsThemBack) {
  const std::string path = testing::fixture("devices/randn_to_device.traced.pt");
  SnapshotOptions options;
  options.audit = false;
  const Snapshot snapshot = takeSnapshot(loadModel(path), path, options);
  ASSERT_EQ(snapshot.devices.size(), 2u);
  EXPECT_EQ(snapshot.devices[0].op, "aten::randn");
  EXPECT_EQ(snapshot.devices[0].location, "devices.py:" + std::to_string(markedLine("two-ops")));
  const Snapshot back = snapshotFromJson(snapshotToJson(snapshot), "s.json");
  ASSERT_EQ(back.devices.size(), 2u);
  EXPECT_EQ(back.devices[1].op, "aten::to");
  EXPECT_EQ(back.devices[1].device, "cpu");
  EXPECT_EQ(back.devices[1].count, 1u);
  EXPECT_EQ(snapshotToJson(back), snapshotToJson(snapshot));
}

TEST(DeviceSpelling, TellsLiteralsFromTensorDevicesFromNone) {
  EXPECT_EQ(classifyDeviceSpelling("y = torch.zeros(3, device=\"cpu\")").spelling, DeviceSpelling::kLiteral);
  EXPECT_EQ(classifyDeviceSpelling("y = torch.zeros(3, device=torch.device('cuda:0'))").spelling,
            DeviceSpelling::kLiteral);
  EXPECT_EQ(classifyDeviceSpelling("y = x.cuda()").spelling, DeviceSpelling::kLiteral);
  EXPECT_EQ(classifyDeviceSpelling("y = x.to(\"cuda\")").spelling, DeviceSpelling::kLiteral);
  const auto from = classifyDeviceSpelling("y = torch.full((2,), 1.0, device=self.weight.device)");
  EXPECT_EQ(from.spelling, DeviceSpelling::kFromTensor);
  EXPECT_EQ(from.text, "self.weight.device");
  EXPECT_EQ(classifyDeviceSpelling("y = torch.randn(3).to(x.device)").spelling, DeviceSpelling::kFromTensor);
  EXPECT_EQ(classifyDeviceSpelling("y = torch.zeros(3, device=dev)").spelling, DeviceSpelling::kVariable);
  EXPECT_EQ(classifyDeviceSpelling("y = torch.zeros(3)").spelling, DeviceSpelling::kAbsent);
  EXPECT_EQ(classifyDeviceSpelling("y = x.to(torch.float64)").spelling, DeviceSpelling::kAbsent);
  EXPECT_EQ(classifyDeviceSpelling("y = torch.zeros(3)  # device=x.device later").spelling, DeviceSpelling::kAbsent);
  EXPECT_EQ(classifyDeviceSpelling("if x.device == other.device: pass").spelling, DeviceSpelling::kAbsent);
  // Several on one statement: the tensor's device wins (it is the loss).
  EXPECT_EQ(classifyDeviceSpelling("a = torch.zeros(3, device='cpu') + torch.ones(3, device=x.device)").spelling,
            DeviceSpelling::kFromTensor);
}

TEST(DeviceFailure, MismatchMessagesAreDeviceErrorsAndOthersAreNot) {
  EXPECT_TRUE(isDeviceMismatchError("RuntimeError: Expected all tensors to be on the same device, but found at "
                                    "least two devices, cuda:0 and cpu!"));
  EXPECT_TRUE(isDeviceMismatchError("Input type (torch.cuda.FloatTensor) and weight type (torch.FloatTensor) "
                                    "should be the same"));
  EXPECT_FALSE(isDeviceMismatchError("Input type (torch.DoubleTensor) and weight type (torch.FloatTensor) "
                                     "should be the same"));
  EXPECT_FALSE(isDeviceMismatchError("The size of tensor a (5) must match the size of tensor b (4)"));
}

// The same failure CUDA gives, on the CPU: the traced model run on meta
// tensors meets its pinned CPU constant.
TEST(DeviceFailure, AFailureOnAnotherDeviceNamesTheFailingOpAndThePinnedLine) {
  const LoadedModel model = loadModel(testing::fixture("devices/zeros_no_device.traced.pt"));
  std::string message;
  try {
    model.module->forward({at::rand({3, 4}, at::TensorOptions().device(at::kMeta))});
  } catch (const std::exception& e) {
    message = e.what();
  }
  ASSERT_TRUE(isDeviceMismatchError(message)) << message;
  const auto graph = methodGraph(*model.module, "forward", GraphForm::kInlined);
  const Finding f = deviceFailureFinding(message, "meta", "on cpu", findPinnedDevices(*graph));
  EXPECT_EQ(f.check, "trace-baked-device");
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_EQ(f.location.line, markedLine("absent"));
  bool names_pin = false;
  bool names_call = false;
  for (const auto& note : f.notes) {
    names_pin = names_pin || note.find("device 'cpu' pinned by aten::zeros") != std::string::npos;
    names_call = names_call || (note.find("failing operation: return torch.add(x, bias)") != std::string::npos &&
                                note.find("devices.py:" + std::to_string(markedLine("absent") + 1)) != std::string::npos);
  }
  EXPECT_TRUE(names_pin);
  EXPECT_TRUE(names_call);
}

std::vector<PinnedDeviceUse> pinnedUsesOf(const std::string& fixture) {
  const LoadedModel model = loadModel(testing::fixture(fixture));
  return findPinnedDevices(*methodGraph(*model.module, "forward", GraphForm::kInlined));
}

TEST(DeviceFailure, AnyFailureOnlyOnTheOtherDeviceIsAFindingAndOnTheSameDeviceIsNot) {
  const auto uses = pinnedUsesOf("devices/arange_from_input.traced.pt");
  const std::string other_error = "RuntimeError: CUDA error: an illegal memory access was encountered";
  // Runs on cpu, fails on cuda: device-specific, whatever the message.
  const auto finding = deviceRunFailure(other_error, "cuda:0", "cpu", "on cpu", uses);
  ASSERT_TRUE(finding.has_value());
  EXPECT_EQ(finding->check, "trace-baked-device");
  EXPECT_EQ(finding->location.line, markedLine("from-tensor"));
  // Both sides on one device, not a device error: the inputs do not fit (exit 3).
  EXPECT_FALSE(deviceRunFailure(other_error, "cpu", "cpu", "on cpu", uses).has_value());
  EXPECT_FALSE(deviceRunFailure(other_error, "cuda", "", "for the saved outputs", uses).has_value());
  // A device mismatch is a finding even against saved outputs.
  EXPECT_TRUE(deviceRunFailure("Expected all tensors to be on the same device, but found at least two devices, "
                               "cuda:0 and cpu!", "cuda", "", "for the saved outputs", uses).has_value());
}

TEST(DeviceFailure, OutputsThatDifferAcrossDevicesArePinnedOnlyWhenTheGraphPinsAnotherDevice) {
  const auto pinned = pinnedUsesOf("devices/arange_from_input.traced.pt");
  const auto difference = deviceDifference("cuda:0", "cpu", pinned);
  ASSERT_TRUE(difference.has_value());
  EXPECT_EQ(difference->location.line, markedLine("from-tensor"));
  EXPECT_FALSE(deviceDifference("cpu", "cpu", pinned).has_value());
  EXPECT_FALSE(deviceDifference("cuda:0", "cpu", pinnedUsesOf("devices/no_device_ops.traced.pt")).has_value());
  EXPECT_FALSE(deviceDifference("cpu", "cuda:0", pinned).has_value());  // it pins cpu: right there
}

TEST(DeviceFailure, CheckTextShowsTheFailingSetAndTheFinding) {
  CheckReport report;
  report.actual = "m.traced.pt on cuda:0";
  report.expected = "m.traced.pt on cpu";
  InputSetResult set;
  set.label = "in.pt";
  set.failure = "m.traced.pt on cuda:0 fails: RuntimeError: Expected all tensors to be on the same device";
  set.comparison.ok = false;
  report.sets.push_back(set);
  report.findings.push_back(deviceFailureFinding("Expected all tensors to be on the same device", "cuda:0",
                                                 "on cpu", pinnedUsesOf("devices/arange_from_input.traced.pt")));
  report.ok = false;
  const std::string text = renderCheckText(report);
  EXPECT_NE(text.find("input set in.pt: FAILS"), std::string::npos) << text;
  EXPECT_NE(text.find("error: the model fails on cuda:0 where it runs on cpu"), std::string::npos) << text;
  EXPECT_NE(text.find("[trace-baked-device]"), std::string::npos) << text;
  EXPECT_NE(text.find("device 'cpu' pinned by aten::arange"), std::string::npos) << text;
  EXPECT_NE(renderCheckJson(report).find("\"check\": \"trace-baked-device\""), std::string::npos);
}

}  // namespace
}  // namespace jitscope
