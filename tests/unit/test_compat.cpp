// `compat` predicts whether a model loads and runs on a target. The
// prediction is checked against reality: each compat fixture (saved by this
// torch, by torch 2.11 in tests/data/torch2/compat, and any folder named in
// JITSCOPE_COMPAT_FIXTURES) is checked against the running LibTorch, then
// loaded and run here.
#include <gtest/gtest.h>

#include <torch/script.h>

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures.h"
#include "jitscope/inspector/archive.h"
#include "jitscope/inspector/debug_ranges.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/requirements.h"
#include "jitscope/validators/compat.h"
#include "jitscope/validators/target.h"

namespace jitscope {
namespace {

namespace fs = std::filesystem;

std::string describe(const CompatReport& report) {
  std::string text;
  for (const auto& problem : report.problems) {
    text += "\n  " + std::string(toString(problem.kind)) + ": " + problem.message;
  }
  return text.empty() ? " none" : text;
}

const TargetProfile& runningTarget() {
  static const TargetProfile target = describeRunningLibTorch();
  return target;
}

CompatReport checkAgainst(const std::string& path, const TargetProfile& target, const CompatOptions& options = {}) {
  const ArchiveInfo archive = inspectArchive(path, FormatVersion::kAnyVersion);
  GeneratingSources python_lines(archive);
  return checkCompat(readRequirements(archive), target, options, &python_lines);
}

TEST(SchemaAcceptsCall, BindsPositionalKeywordAndDefaultArguments) {
  const char* add = "aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor";
  EXPECT_TRUE(schemaAcceptsCall(add, 2, {}));
  EXPECT_TRUE(schemaAcceptsCall(add, 2, {"alpha"}));
  EXPECT_TRUE(schemaAcceptsCall(add, 1, {"other"}));
  EXPECT_FALSE(schemaAcceptsCall(add, 1, {}));          // `other` has no default
  EXPECT_FALSE(schemaAcceptsCall(add, 3, {}));          // alpha is keyword-only
  EXPECT_FALSE(schemaAcceptsCall(add, 2, {"beta"}));    // no such argument
  EXPECT_FALSE(schemaAcceptsCall(add, 2, {"other"}));   // given twice

  const char* sdpa =
      "aten::scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, Tensor? attn_mask=None, "
      "float dropout_p=0., bool is_causal=False, *, float? scale=None, bool enable_gqa=False) -> Tensor";
  EXPECT_TRUE(schemaAcceptsCall(sdpa, 3, {"scale"}));
  EXPECT_FALSE(schemaAcceptsCall("aten::scaled_dot_product_attention(Tensor query, Tensor key, Tensor value, "
                                 "Tensor? attn_mask=None, float dropout_p=0., bool is_causal=False) -> Tensor",
                                 3, {"scale"}));
  // Alias annotations hold spaces; defaults hold commas and brackets.
  EXPECT_TRUE(schemaAcceptsCall("aten::view(Tensor(a -> *) self, int[] size) -> Tensor(a)", 2, {}));
  EXPECT_TRUE(schemaAcceptsCall("aten::f(Tensor self, int[2] stride=[1, 1], str mode=\"a, b\") -> Tensor", 1,
                                {"mode"}));
  // `...` takes any number.
  EXPECT_TRUE(schemaAcceptsCall("aten::format(str self, ...) -> str", 4, {}));
  EXPECT_FALSE(schemaAcceptsCall("aten::format(str self, ...) -> str", 0, {}));
}

TEST(Compat, NoProblemForAnyFixtureThatLoadsHere) {
  size_t checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(JITSCOPE_FIXTURES_DIR)) {
    if (entry.path().extension() != ".pt") continue;
    const std::string path = entry.path().string();
    // Hostile files are refused or, under hostile/isolation/, hang the loader
    // on purpose (the --isolate tests).
    if (path.find("/hostile/") != std::string::npos) continue;
    try {
      loadModel(path, TensorData::kSkip);
    } catch (const std::exception&) {
      continue;  // bad and hostile files, inputs, models needing a library
    }
    const CompatReport report = checkAgainst(path, runningTarget());
    EXPECT_TRUE(report.ok()) << path << " loads here, yet compat reports:" << describe(report);
    ++checked;
  }
  EXPECT_GT(checked, 50u);
}

// Loads and runs `path` on inputs of the manifest's shapes; the failure, or "".
std::string loadAndRun(const std::string& path, const nlohmann::json& shapes) {
  try {
    torch::jit::Module module = torch::jit::load(path);
    module.eval();
    std::vector<torch::jit::IValue> inputs;
    for (const auto& shape : shapes) inputs.emplace_back(torch::rand(shape.get<std::vector<int64_t>>()));
    torch::NoGradGuard no_grad;
    module.forward(inputs);
    return "";
  } catch (const std::exception& error) {
    const std::string what = error.what();
    return what.substr(0, what.find('\n'));
  }
}

std::vector<std::string> compatFixtureFolders() {
  std::vector<std::string> folders = {testing::fixture("compat"),
                                      std::string(JITSCOPE_SOURCE_DIR) + "/tests/data/torch2/compat"};
  if (const char* extra = std::getenv("JITSCOPE_COMPAT_FIXTURES")) {
    std::stringstream list(extra);
    for (std::string folder; std::getline(list, folder, ':');) {
      if (!folder.empty()) folders.push_back(folder);
    }
  }
  return folders;
}

TEST(Compat, PredictsWhichModelsLoadAndRunHere) {
  size_t predicted = 0;
  size_t failing = 0;
  for (const std::string& folder : compatFixtureFolders()) {
    std::ifstream manifest_file(folder + "/manifest.json");
    if (!manifest_file) continue;
    const auto manifest = nlohmann::json::parse(manifest_file);
    for (const auto& [name, entry] : manifest.items()) {
      const std::string path = folder + "/" + name;
      const CompatReport report = checkAgainst(path, runningTarget());
      const std::string failure = loadAndRun(path, entry.at("inputs"));
      EXPECT_EQ(report.ok(), failure.empty())
          << path << " (saved by torch " << entry.at("torch").get<std::string>() << ")\n"
          << "compat predicted:" << describe(report) << "\nloading and running it here: "
          << (failure.empty() ? "ok" : failure);
      ++predicted;
      failing += failure.empty() ? 0 : 1;
    }
  }
  EXPECT_GE(predicted, 5u) << "the compat fixtures were not built";
  std::printf("compat: %zu predictions checked, %zu of them models that fail here\n", predicted, failing);
}

TEST(Compat, ReportsWhatATargetLacksAtTheCallSite) {
  const std::string path = testing::fixture("compat/plain.scripted.pt");
  TargetProfile target = runningTarget();
  target.name = "no-gelu";
  target.schemas.erase(std::remove_if(target.schemas.begin(), target.schemas.end(),
                                      [](const std::string& s) { return s.rfind("aten::gelu", 0) == 0; }),
                       target.schemas.end());
  // softmax with one argument only: the call passes two.
  target.schemas.erase(std::remove_if(target.schemas.begin(), target.schemas.end(),
                                      [](const std::string& s) { return s.rfind("aten::softmax.", 0) == 0; }),
                       target.schemas.end());
  target.schemas.push_back("aten::softmax.int(Tensor self) -> Tensor");
  const CompatReport report = checkAgainst(path, target);
  ASSERT_EQ(report.problems.size(), 2u) << describe(report);
  const auto& gelu = report.problems[0];
  EXPECT_EQ(gelu.kind, CompatKind::kMissingOperator);
  EXPECT_EQ(gelu.subject, "aten::gelu");
  ASSERT_FALSE(gelu.locations.empty());
  EXPECT_NE(gelu.locations.front().record.find("code/__torch__/"), std::string::npos);
  ASSERT_TRUE(gelu.python.has_value());
  EXPECT_NE(gelu.python->file.find("compat.py"), std::string::npos) << gelu.python->str();
  EXPECT_EQ(report.problems[1].kind, CompatKind::kArguments);
  EXPECT_EQ(report.problems[1].subject, "aten::softmax");
  EXPECT_FALSE(report.loads());
}

TEST(Compat, FileFormatOutsideTheTargetsRange) {
  const std::string path = testing::fixture("compat/plain.traced.pt");
  TargetProfile target = runningTarget();
  const uint64_t version = inspectArchive(path).format_version;
  target.max_file_format = version - 1;
  const CompatReport report = checkAgainst(path, target);
  ASSERT_EQ(report.problems.size(), 1u) << describe(report);
  EXPECT_EQ(report.problems[0].kind, CompatKind::kFileFormat);
}

TEST(Compat, SelectiveBuildOperatorList) {
  const std::string path = testing::fixture("compat/plain.scripted.pt");
  std::string list;
  for (const auto& [op, count] : readRequirements(path).operatorCounts()) list += "- " + op + "\n";
  EXPECT_TRUE(checkAgainst(path, parseTargetProfile(list, "all.yaml")).ok());
  const std::string without_gelu = list.substr(0, list.find("- aten::gelu")) +
                                   list.substr(list.find('\n', list.find("- aten::gelu")) + 1);
  const CompatReport report = checkAgainst(path, parseTargetProfile(without_gelu, "no-gelu.yaml"));
  ASSERT_EQ(report.problems.size(), 1u) << describe(report);
  EXPECT_EQ(report.problems[0].subject, "aten::gelu");
}

TEST(Compat, AnOperatorLibraryNotLoadedOnTheTarget) {
  const std::string path = testing::fixture("detection/ssdlite.scripted.pt");
  if (::access(path.c_str(), R_OK) != 0) GTEST_SKIP() << "no detection fixture here (models/README.md)";
  const CompatReport report = checkAgainst(path, runningTarget());
  ASSERT_EQ(report.problems.size(), 1u) << describe(report);
  EXPECT_EQ(report.problems[0].kind, CompatKind::kMissingNamespace);
  EXPECT_EQ(report.problems[0].subject, "torchvision");
  EXPECT_NE(report.problems[0].fix.find("--load-library"), std::string::npos);
}

TEST(Compat, DevicesFixedInTheCode) {
  // recurrent.traced.pt: torch.zeros(..., device=torch.device("cpu")).
  const std::string path = testing::fixture("recurrent.traced.pt");
  TargetProfile gpu = runningTarget();
  gpu.cuda = true;
  EXPECT_TRUE(checkAgainst(path, gpu).ok());
  const CompatReport served = checkAgainst(path, gpu, CompatOptions{"cuda"});
  ASSERT_FALSE(served.problems.empty());
  EXPECT_EQ(served.problems[0].kind, CompatKind::kDevice);
  EXPECT_EQ(served.problems[0].stage, CompatStage::kRun);
  EXPECT_TRUE(served.loads());
}

}  // namespace
}  // namespace jitscope
