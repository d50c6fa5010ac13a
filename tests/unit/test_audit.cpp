// The audit against the pitfall catalogue's ground truth
// (models/jitscope_fixtures/pitfalls): every lossy traced file is flagged by
// the right check at the right Python line, every clean one is left alone,
// and every scripted reference is clean.
#include "jitscope/validators/trace_audit.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/csrc/jit/serialization/pickle.h>

#include <climits>
#include <cstdlib>
#include <fstream>
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
  const std::map<std::string, std::string> known = {
      {"wav2vec2_tiny.traced.pt",
       "`.to(dtype=features.dtype)` bakes float32 into the padding mask: only a float16 input "
       "shows it, and this model has no float16 kernels on the CPU in torch 1.13"},
      {"wav2vec2_tiny_lengths.traced.pt", "the same dtype cast as wav2vec2_tiny"},
  };
  const auto truth = nlohmann::json::parse(in);
  size_t checked = 0;
  for (const auto& [file, entry] : truth["models"].items()) {
    AuditOptions options;
    options.counterexample_dir = ::testing::TempDir();
    const AuditReport report = auditModel(loadModel(testing::fixture("zoo_audit/" + file)), options);
    const bool lossy = entry["lossy"].get<bool>();
    if (auto it = known.find(file); it != known.end() && !lossy) {
      EXPECT_TRUE(report.lossy()) << file << " is a known finding (" << it->second
                                  << ") and should still be reported:\n" << describe(report);
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
