// The audit against the pitfall catalogue's ground truth
// (models/jitscope_fixtures/pitfalls): every lossy traced file is flagged by
// the right check at the right Python line, every clean one is left alone,
// and every scripted reference is clean.
#include "jitscope/validators/trace_audit.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/csrc/jit/serialization/pickle.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <iterator>

#include "fixtures.h"
#include "jitscope/core/paths.h"
#include "jitscope/inspector/model.h"

namespace jitscope {
namespace {

struct Case {
  std::string file;  ///< relative to pitfalls/
  nlohmann::json truth;
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.file; }

std::vector<Case> groundTruth(bool traced) {
  std::ifstream in(testing::fixture("pitfalls/ground_truth.json"));
  if (!in) return {};
  std::vector<Case> cases;
  const auto document = nlohmann::json::parse(in);
  for (const auto& [file, truth] : document["files"].items()) {
    const bool is_traced = file.find(".traced.pt") != std::string::npos;
    if (is_traced == traced) cases.push_back({file, truth});
  }
  return cases;
}

AuditOptions optionsFor(const Case& c, bool with_reference) {
  AuditOptions options;
  options.source_roots = {std::string(JITSCOPE_SOURCE_DIR) + "/models"};
  options.counterexample_dir = ::testing::TempDir();
  const auto& reference = c.truth["reference"];
  if (with_reference && reference.is_string()) {
    options.reference = testing::fixture("pitfalls/" + reference.get<std::string>());
    options.inputs = {testing::fixture("pitfalls/" + c.truth["inputs"].get<std::string>())};
  }
  return options;
}

std::string describe(const AuditReport& report) {
  std::string text;
  for (const auto& f : report.findings) {
    text += "  " + std::string(toString(f.severity)) + " " + f.check + " at " + f.location.str() +
            ": " + f.message + "\n";
  }
  return text.empty() ? "  (no findings)\n" : text;
}

const Finding* findingOf(const AuditReport& report, const std::string& check) {
  for (const auto& f : report.findings) {
    if (f.check == check) return &f;
  }
  return nullptr;
}

// A finding of the ground truth's category at its file and line.
bool flaggedAsExpected(const AuditReport& report, const nlohmann::json& truth) {
  const std::string file = canonicalPath(truth["source"].get<std::string>());
  const size_t line = truth["line"].get<size_t>();
  const std::string check = "trace-" + truth["category"].get<std::string>();
  for (const auto& f : report.findings) {
    if (f.check == check && f.location.line == line && canonicalPath(f.location.file) == file &&
        atLeast(f.severity, Severity::kWarning)) {
      return true;
    }
  }
  return false;
}

class TracedPitfall : public ::testing::TestWithParam<Case> {};

TEST_P(TracedPitfall, MatchesGroundTruthWithReference) {
  const Case& c = GetParam();
  const AuditReport report =
      auditModel(loadModel(testing::fixture("pitfalls/" + c.file)), optionsFor(c, true));
  if (c.truth["lossy"].get<bool>()) {
    EXPECT_TRUE(flaggedAsExpected(report, c.truth))
        << "expected trace-" << c.truth["category"] << " at line " << c.truth["line"] << ", got:\n"
        << describe(report);
  } else {
    EXPECT_FALSE(report.lossy()) << "clean control flagged:\n" << describe(report);
  }
  // Several reference nodes at one line back the kept finding once each.
  for (const auto& f : report.findings) {
    std::set<std::string> distinct(f.notes.begin(), f.notes.end());
    EXPECT_EQ(distinct.size(), f.notes.size()) << "repeated notes at " << f.location.str();
  }
}

// With the source gone, a file is lossy only on IR evidence; the rest are
// unverified, never clean: nothing of their Python was checked.
TEST_P(TracedPitfall, WithoutSourceNothingIsClean) {
  const Case& c = GetParam();
  AuditOptions options = optionsFor(c, false);
  options.no_source = true;
  const AuditReport report = auditModel(loadModel(testing::fixture("pitfalls/" + c.file)), options);
  EXPECT_NE(report.verdict(), Verdict::kClean) << describe(report);
  EXPECT_EQ(report.functions_analyzed, 0u);
  if (!c.truth["lossy"].get<bool>()) {
    EXPECT_EQ(report.verdict(), Verdict::kUnverified) << "clean control flagged:\n" << describe(report);
  }
}

// Without a reference, only the recorded source and the IR speak: every
// lossy construct must still be found at its line.
TEST_P(TracedPitfall, StaticAnalysisFindsLossyConstructs) {
  const Case& c = GetParam();
  if (!c.truth["lossy"].get<bool>()) GTEST_SKIP() << "clean control: see the reference test";
  const AuditReport report =
      auditModel(loadModel(testing::fixture("pitfalls/" + c.file)), optionsFor(c, false));
  EXPECT_TRUE(flaggedAsExpected(report, c.truth))
      << "expected trace-" << c.truth["category"] << " at line " << c.truth["line"] << ", got:\n"
      << describe(report);
}

class ScriptedReference : public ::testing::TestWithParam<Case> {};

TEST_P(ScriptedReference, IsClean) {
  const Case& c = GetParam();
  const AuditReport report =
      auditModel(loadModel(testing::fixture("pitfalls/" + c.file)), optionsFor(c, false));
  EXPECT_EQ(report.provenance, Provenance::kScripted);
  EXPECT_FALSE(report.lossy()) << describe(report);
}

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
  return testing::testNameFor(info.param.file.substr(0, info.param.file.find('.')));
}

INSTANTIATE_TEST_SUITE_P(Pitfalls, TracedPitfall, ::testing::ValuesIn(groundTruth(true)), caseName);
INSTANTIATE_TEST_SUITE_P(Pitfalls, ScriptedReference, ::testing::ValuesIn(groundTruth(false)),
                         caseName);

TEST(Audit, GroundTruthIsThere) {
  EXPECT_GE(groundTruth(true).size(), 40u);
  EXPECT_GE(groundTruth(false).size(), 40u);
}

TEST(Audit, DivergenceIsProvedWithALoadableCounterexample) {
  AuditOptions options;
  options.reference = testing::fixture("pitfalls/branch_sum_sign.scripted.pt");
  options.inputs = {testing::fixture("pitfalls/inputs/branch_sum_sign.pt")};
  options.counterexample_dir = ::testing::TempDir();
  const AuditReport report =
      auditModel(loadModel(testing::fixture("pitfalls/branch_sum_sign.traced.pt")), options);
  const Finding* divergence = nullptr;
  for (const auto& f : report.findings) {
    if (f.check == "trace-diverges-from-reference") divergence = &f;
  }
  ASSERT_NE(divergence, nullptr) << describe(report);
  EXPECT_EQ(divergence->severity, Severity::kError);
  // The sign-flipped input takes the branch the trace dropped.
  bool names_sign_flip = false;
  for (const auto& note : divergence->notes) {
    names_sign_flip = names_sign_flip || note.find("sign-flipped input") != std::string::npos;
  }
  EXPECT_TRUE(names_sign_flip) << describe(report);
  const std::string saved = options.counterexample_dir + "/branch_sum_sign.traced.counterexample0.pt";
  std::ifstream in(saved, std::ios::binary);
  ASSERT_TRUE(in) << saved;
  const auto value = torch::jit::pickle_load(std::vector<char>(std::istreambuf_iterator<char>(in), {}));
  ASSERT_TRUE(value.isTuple());
  EXPECT_EQ(value.toTupleRef().elements().size(), 1u);
}

TEST(Audit, MixedModelKeepsItsScriptedControlFlow) {
  AuditOptions options;
  const AuditReport report =
      auditModel(loadModel(testing::fixture("mixing_trace_calls_script.pt")), options);
  EXPECT_EQ(report.provenance, Provenance::kMixed);
  EXPECT_FALSE(report.lossy()) << describe(report);
}

TEST(Audit, ClassicTracedCellIsLossyAtTheGate) {
  const AuditReport report = auditModel(loadModel(testing::fixture("my_cell.traced.pt")), {});
  ASSERT_TRUE(report.lossy()) << describe(report);
  EXPECT_EQ(report.findings.front().check, "trace-data-dependent-branch");
  EXPECT_EQ(report.findings.front().module_path, "dg");
}

TEST(AuditVerdict, CleanOnlyWhenEverythingTracedWasRead) {
  AuditReport report;
  EXPECT_EQ(report.verdict(), Verdict::kClean);
  report.source_complete = false;
  EXPECT_EQ(report.verdict(), Verdict::kUnverified);
  EXPECT_FALSE(report.fails(Severity::kWarning, UnverifiedPolicy::kPass));
  EXPECT_TRUE(report.fails(Severity::kWarning, UnverifiedPolicy::kFail));
  report.findings.push_back(Finding(CheckId::kTraceDataDependentBranch, "a warning"));
  EXPECT_EQ(report.verdict(), Verdict::kLossy);
  EXPECT_FALSE(report.fails(Severity::kError, UnverifiedPolicy::kFail)) << "lossy is not unverified";
}

TEST(AuditVerdict, ModelWithoutItsSourceIsUnverifiedAndItsIrFindingsStay) {
  const AuditReport affine = auditModel(loadModel(testing::fixture("nosource/affine.traced.pt")), {});
  EXPECT_EQ(affine.verdict(), Verdict::kUnverified) << describe(affine);
  ASSERT_EQ(affine.findings.size(), 1u) << describe(affine);
  EXPECT_EQ(affine.findings[0].check, "audit-source-unavailable");
  EXPECT_EQ(affine.findings[0].severity, Severity::kNote);
  const AuditReport rowscan = auditModel(loadModel(testing::fixture("nosource/rowscan.traced.pt")), {});
  EXPECT_EQ(rowscan.verdict(), Verdict::kLossy) << describe(rowscan);
}

// The advice names the setting as the front end gives it (the command line
// a flag, ci a TOML key), never a flag of its own.
TEST(AuditVerdict, TheSourceRootAdviceUsesTheFrontEndsName) {
  AuditOptions options;
  options.setting_names = [](Setting setting) {
    return setting == Setting::kSourceRoot ? std::string("SOURCE-ROOT-KEY") : std::string(settingName(setting));
  };
  const AuditReport worded = auditModel(loadModel(testing::fixture("nosource/affine.traced.pt")), options);
  ASSERT_EQ(worded.findings.size(), 1u) << describe(worded);
  const auto& notes = worded.findings[0].notes;
  EXPECT_NE(std::find(notes.begin(), notes.end(),
                      "pass SOURCE-ROOT-KEY (the folder the model's Python package lives in)"),
            notes.end());
  for (const auto& note : notes) EXPECT_EQ(note.find("--"), std::string::npos) << note;
}

TEST(AuditVerdict, NoSourceReadsNothingEvenWhereTheSourceExists) {
  AuditOptions options;
  options.no_source = true;
  const AuditReport report = auditModel(loadModel(testing::fixture("my_cell.traced.pt")), options);
  EXPECT_EQ(report.functions_analyzed, 0u);
  EXPECT_EQ(report.verdict(), Verdict::kUnverified) << describe(report);
  for (const auto& f : report.findings) EXPECT_TRUE(f.source_line.empty()) << f.location.str();
}

// A forward found under --source-root with text the Python parser cannot
// read gets an audit-source-unavailable note; the verdict must not be clean.
// (An assignment expression, which TorchScript's parser rejected, is read
// now: the branch on it is found.)
TEST(AuditVerdict, FunctionThatDoesNotParseLeavesTheModelUnverified) {
  const std::string root = ::testing::TempDir() + "/unparsable_source";
  std::filesystem::create_directories(root + "/jitscope_fixtures");
  std::ofstream(root + "/jitscope_fixtures/classic.py") << R"(import torch
from torch import nn


class MyDecisionGate(nn.Module):
    def forward(self, x):
        y = x $ 2
        if (total := x.sum()) > 0:
            return x
        return -x


class MyCell(nn.Module):
    def forward(self, x, h):
        return torch.tanh(self.linear(x) + h)
)";
  AuditOptions options;
  options.source_roots = {root};
  const AuditReport report = auditModel(loadModel(testing::fixture("my_cell.traced.pt")), options);
  bool could_not_analyze = false;
  for (const auto& f : report.findings) {
    could_not_analyze = could_not_analyze || (f.check == "audit-source-unavailable" &&
                                              f.message.find("could not read") != std::string::npos);
  }
  ASSERT_TRUE(could_not_analyze) << describe(report);
  EXPECT_NE(report.verdict(), Verdict::kClean) << describe(report);
}

// Without the source: `q, k, v = self._heads(a), self._heads(b),
// self._heads(c)` records the same ops three times at _heads' line under one
// stack, but the copies are independent: a repeated call, not an unrolled
// loop. The loops of recurrent.py and rowscan are still found.
TEST(AuditWithoutSource, RepeatedCallOnOneLineIsNotAnUnrolledLoop) {
  AuditOptions options;
  options.no_source = true;
  const AuditReport bert = auditModel(loadModel(testing::fixture("bert_tiny.traced.pt")), options);
  EXPECT_EQ(findingOf(bert, "trace-unrolled-loop"), nullptr) << describe(bert);
  // What remains is real: zeros_like pinned to cpu (trace-baked-device).
  for (const auto& f : bert.findings) {
    if (f.severity >= Severity::kWarning) EXPECT_EQ(f.check, "trace-baked-device") << describe(bert);
  }
  for (const char* lossy : {"recurrent.traced.pt", "nosource/rowscan.traced.pt"}) {
    const AuditReport report = auditModel(loadModel(testing::fixture(lossy)), options);
    EXPECT_NE(findingOf(report, "trace-unrolled-loop"), nullptr) << lossy << "\n" << describe(report);
  }
}

// Dropout and batch norm in training mode: traced so by mistake (a
// warning), or asked for in an eval-mode model on purpose (a note at most).
TEST(AuditTrainingMode, DropoutTracedInTrainingModeIsAWarning) {
  const AuditReport report = auditModel(loadModel(testing::fixture("pitfalls/dropout_train.traced.pt")),
                                        {{std::string(JITSCOPE_SOURCE_DIR) + "/models"}});
  const Finding* dropout = findingOf(report, "trace-random-op");
  ASSERT_NE(dropout, nullptr) << describe(report);
  EXPECT_EQ(dropout->severity, Severity::kWarning);
  EXPECT_EQ(report.verdict(), Verdict::kLossy);
}

TEST(AuditTrainingMode, MonteCarloDropoutInAnEvalModelIsOnlyANote) {
  for (const char* name : {"mc_dropout", "sampling_head"}) {
    const AuditReport report =
        auditModel(loadModel(testing::fixture(std::string("stochastic/") + name + ".traced.pt")),
                   {{std::string(JITSCOPE_SOURCE_DIR) + "/models"}});
    const Finding* dropout = findingOf(report, "trace-random-op");
    ASSERT_NE(dropout, nullptr) << name << "\n" << describe(report);
    EXPECT_EQ(dropout->severity, Severity::kNote) << name;
    EXPECT_EQ(report.verdict(), Verdict::kClean) << name << "\n" << describe(report);
  }
}

TEST(AuditTrainingMode, BatchNormWithBatchStatisticsOnPurposeIsOnlyANote) {
  const AuditReport report = auditModel(loadModel(testing::fixture("stochastic/batch_stats.traced.pt")),
                                        {{std::string(JITSCOPE_SOURCE_DIR) + "/models"}});
  const Finding* norm = findingOf(report, "trace-training-branch");
  ASSERT_NE(norm, nullptr) << describe(report);
  EXPECT_EQ(norm->severity, Severity::kNote);
  const AuditReport traced_train =
      auditModel(loadModel(testing::fixture("pitfalls/batchnorm_train.traced.pt")),
                 {{std::string(JITSCOPE_SOURCE_DIR) + "/models"}});
  const Finding* mistaken = findingOf(traced_train, "trace-training-branch");
  ASSERT_NE(mistaken, nullptr) << describe(traced_train);
  EXPECT_EQ(mistaken->severity, Severity::kWarning);
}

TEST(AuditTrainingMode, DropoutWithZeroProbabilityIsNotReported) {
  const AuditReport report = auditModel(loadModel(testing::fixture("stochastic/zero_dropout.traced.pt")),
                                        {{std::string(JITSCOPE_SOURCE_DIR) + "/models"}});
  EXPECT_TRUE(report.findings.empty()) << describe(report);
}

// Regression: a helper called four times inlines four prim::If at one line
// of the reference; the kept finding said "the scripted reference agrees"
// once per call.
TEST(AuditMerge, ReferenceNoteIsKeptOncePerLine) {
  AuditOptions options;
  options.source_roots = {std::string(JITSCOPE_SOURCE_DIR) + "/models"};
  options.reference = testing::fixture("helpers/four_gates.scripted.pt");
  options.counterexample_dir = ::testing::TempDir();
  const AuditReport report = auditModel(loadModel(testing::fixture("helpers/four_gates.traced.pt")), options);
  EXPECT_EQ(report.probes_run, 0u) << "kGivenOnly: no inputs given, no probes";
  const Finding* branch = findingOf(report, "trace-data-dependent-branch");
  ASSERT_NE(branch, nullptr) << describe(report);
  EXPECT_EQ(std::count_if(branch->notes.begin(), branch->notes.end(),
                          [](const std::string& note) {
                            return note.rfind("the scripted reference agrees", 0) == 0;
                          }),
            1);
}

// --reference without --inputs: the probes still run, and say on what.
TEST(AuditProbeInputs, DerivedFromTheArchiveWhenNoneAreGiven) {
  AuditOptions options;
  options.no_source = true;
  options.reference = testing::fixture("my_cell.scripted.pt");
  options.probe_inputs = ProbeInputSource::kGivenOrDerived;
  options.counterexample_dir = ::testing::TempDir();
  const AuditReport report = auditModel(loadModel(testing::fixture("my_cell.traced.pt")), options);
  EXPECT_GT(report.probes_run, 0u);
  // torch 2.x stores the trace's example inputs (their shapes) in the
  // archive; 1.13 does not, so the shapes are read off the ops.
  const LoadedModel traced = loadModel(testing::fixture("my_cell.traced.pt"));
  if (traced.archive.byte_order.empty()) {
    EXPECT_NE(report.probe_inputs.find("x: [3, 4] float32 (aten::linear's weight)"),
              std::string::npos) << report.probe_inputs;
  } else {
    EXPECT_FALSE(report.probe_inputs.empty());
  }
  EXPECT_NE(findingOf(report, "trace-diverges-from-reference"), nullptr) << describe(report);
}

// forward(x, n) with `for _ in range(int(n))`: n must be a one-element
// tensor beside a [3, 4] x. The derived set proves the unrolled loop.
TEST(AuditProbeInputs, EachUndescribedTensorIsGuessedOnItsOwn) {
  AuditOptions options;
  options.no_source = true;
  options.reference = testing::fixture("pitfalls/loop_range_int.scripted.pt");
  options.probe_inputs = ProbeInputSource::kGivenOrDerived;
  options.counterexample_dir = ::testing::TempDir();
  const AuditReport report = auditModel(loadModel(testing::fixture("pitfalls/loop_range_int.traced.pt")), options);
  EXPECT_GT(report.probes_run, 0u) << report.probe_inputs;
  EXPECT_NE(report.probe_inputs.find("x: [3, 4] float32"), std::string::npos) << report.probe_inputs;
  EXPECT_NE(report.probe_inputs.find("n: [] "), std::string::npos) << report.probe_inputs;
}

TEST(AuditProbeInputs, StoredByTorch2AreUsedForTheirShapes) {
  const std::string torch2 = std::string(JITSCOPE_SOURCE_DIR) + "/tests/data/torch2/";
  AuditOptions options;
  options.no_source = true;
  options.reference = torch2 + "my_cell.scripted.pt";
  options.probe_inputs = ProbeInputSource::kGivenOrDerived;
  options.counterexample_dir = ::testing::TempDir();
  const AuditReport report = auditModel(loadModel(torch2 + "my_cell.traced.pt"), options);
  EXPECT_GT(report.probes_run, 0u);
  EXPECT_EQ(report.probe_inputs.rfind("the example inputs the trace stored in the archive", 0), 0u)
      << report.probe_inputs;
}

}  // namespace
}  // namespace jitscope

namespace jitscope {
namespace {

// Real torchvision/torchaudio models traced in eval mode with random weights
// (group zoo_audit): the audit's verdict must match what running eager
// against the trace on other batch sizes, image sizes and lengths showed
// (zoo_truth.json, written by the same build). A trace that agreed gets no
// warning; one that diverged is flagged.
TEST(Audit, RealModelVerdictsMatchEagerVersusTrace) {
  std::ifstream in(testing::fixture("zoo_audit/zoo_truth.json"));
  if (!in) GTEST_SKIP() << "zoo_audit was not built (needs torchvision and torchaudio)";
  // Where the truth's inputs cannot show a loss the audit reports, with why.
  // Each bakes the example's dtype (trace-dtype-dependent) or device
  // (trace-baked-device): only a float16 input or a CUDA run shows it, which
  // the truth does not try (torch 1.13 has no float16 conv kernels on the
  // CPU). Other findings on these models are still failures.
  const std::map<std::string, std::string> known = {
      {"wav2vec2_tiny.traced.pt", "`.to(dtype=features.dtype)` in the padding mask"},
      {"wav2vec2_tiny_lengths.traced.pt", "the same dtype cast as wav2vec2_tiny"},
      {"rcnn_transform.traced.pt", "normalize()'s `torch.as_tensor(mean, dtype=image.dtype)`"},
  };
  const auto truth = nlohmann::json::parse(in);
  size_t checked = 0;
  for (const auto& [file, entry] : truth["models"].items()) {
    AuditOptions options;
    options.counterexample_dir = ::testing::TempDir();
    const AuditReport report = auditModel(loadModel(testing::fixture("zoo_audit/" + file)), options);
    const bool lossy = entry["lossy"].get<bool>();
    if (auto it = known.find(file); it != known.end() && !lossy) {
      for (const auto& f : report.findings) {
        if (f.severity < Severity::kWarning) continue;
        EXPECT_TRUE(f.check == "trace-dtype-dependent" || f.check == "trace-baked-device")
            << file << ": only a baked dtype or device (" << it->second << ") may be reported:\n"
            << describe(report);
      }
      continue;
    }
    EXPECT_EQ(report.lossy(), lossy) << file << ": eager vs trace says "
                                     << (lossy ? "lossy" : "clean") << "\n" << describe(report);
    EXPECT_GT(report.functions_analyzed, 0u) << file << ": no Python source was read";
    ++checked;
  }
  EXPECT_GE(checked, 5u);
}

}  // namespace
}  // namespace jitscope
