// `compat` predicts whether a model loads and runs on a target. The
// prediction is checked against reality: each compat fixture (saved by this
// torch, by torch 2.11 in tests/data/torch2/compat, and any folder named in
// JITSCOPE_COMPAT_FIXTURES) is checked against the running LibTorch, then
// loaded and run here.
#include <gtest/gtest.h>

#include <torch/csrc/jit/mobile/import.h>
#include <torch/csrc/jit/mobile/module.h>
#include <torch/script.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
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

// Loads and runs `path` on inputs of the manifest's shapes; the failure's
// first non-empty line, or nullopt when it ran.
// A lite-interpreter file (.ptl) goes through the mobile loader, as on a
// phone; anything else through torch::jit::load, or the mobile loader when
// `lite` says so.
std::optional<std::string> loadAndRun(const std::string& path, const nlohmann::json& shapes, bool lite = false) {
  try {
    std::vector<torch::jit::IValue> inputs;
    for (const auto& shape : shapes) inputs.emplace_back(torch::rand(shape.get<std::vector<int64_t>>()));
    torch::NoGradGuard no_grad;
    if (lite || fs::path(path).extension() == ".ptl") {
      torch::jit::mobile::Module module = torch::jit::_load_for_mobile(path);
      module.forward(inputs);
      return std::nullopt;
    }
    torch::jit::Module module = torch::jit::load(path);
    module.eval();
    module.forward(inputs);
    return std::nullopt;
  } catch (const std::exception& error) {
    // LibTorch's compile errors start with a newline.
    std::string what = error.what();
    what.erase(0, what.find_first_not_of(" \n"));
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

// Calls `visit(path, manifest entry)` for every compat fixture.
void forEachCompatFixture(const std::function<void(const std::string&, const nlohmann::json&)>& visit) {
  for (const std::string& folder : compatFixtureFolders()) {
    std::ifstream manifest_file(folder + "/manifest.json");
    if (!manifest_file) continue;
    const auto manifest = nlohmann::json::parse(manifest_file);
    for (const auto& [name, entry] : manifest.items()) visit(folder + "/" + name, entry);
  }
}

TEST(Compat, PredictsWhichModelsLoadAndRunHere) {
  size_t predicted = 0;
  size_t failing = 0;
  forEachCompatFixture([&](const std::string& path, const nlohmann::json& entry) {
    const CompatReport report = checkAgainst(path, runningTarget());
    const auto failure = loadAndRun(path, entry.at("inputs"));
    EXPECT_EQ(report.ok(), !failure.has_value())
        << path << " (saved by torch " << entry.at("torch").get<std::string>() << ")\n"
        << "compat predicted:" << describe(report) << "\nloading and running it here: " << failure.value_or("ok");
    ++predicted;
    failing += failure ? 1 : 0;
  });
  EXPECT_GE(predicted, 5u) << "the compat fixtures were not built";
  std::printf("compat: %zu predictions checked, %zu of them models that fail here\n", predicted, failing);
}

// The other way round: every TorchScript file checked for the lite
// interpreter, whether or not it has bytecode.pkl, against the mobile
// loader of this LibTorch.
TEST(Compat, PredictsWhatTheMobileLoaderDoesHere) {
  size_t predicted = 0;
  size_t lite_files = 0;
  CompatOptions lite;
  lite.runtime = CompatRuntime::kLite;
  forEachCompatFixture([&](const std::string& path, const nlohmann::json& entry) {
    const CompatReport report = checkAgainst(path, runningTarget(), lite);
    EXPECT_EQ(report.runtime, CompatRuntime::kLite);
    const auto failure = loadAndRun(path, entry.at("inputs"), /*lite=*/true);
    EXPECT_EQ(report.ok(), !failure.has_value())
        << path << " (saved by torch " << entry.at("torch").get<std::string>() << ")\n"
        << "compat --runtime lite predicted:" << describe(report) << "\n_load_for_mobile and forward here: "
        << failure.value_or("ok");
    ++predicted;
    lite_files += report.bytecode_version ? 1 : 0;
  });
  EXPECT_GE(lite_files, 3u) << "the lite-interpreter compat fixtures were not built";
  std::printf("compat --runtime lite: %zu predictions checked, %zu of them .ptl files\n", predicted, lite_files);
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

// The lite interpreter looks up the exact overload of each operator-table
// entry; another overload of the same name does not do.
TEST(CompatLite, MissingExactOverload) {
  const std::string path = testing::fixture("compat/plain.scripted.ptl");
  const ModelRequirements needs = readRequirements(path);
  ASSERT_TRUE(needs.bytecode.has_value());
  const auto named = std::find_if(needs.bytecode->operators.begin(), needs.bytecode->operators.end(),
                                  [](const MobileOperator& op) { return !op.overload.empty(); });
  ASSERT_NE(named, needs.bytecode->operators.end());
  const std::string full = named->fullName();
  TargetProfile target = runningTarget();
  const auto before = target.schemas.size();
  target.schemas.erase(std::remove_if(target.schemas.begin(), target.schemas.end(),
                                      [&](const std::string& s) { return s.rfind(full + "(", 0) == 0; }),
                       target.schemas.end());
  ASSERT_EQ(target.schemas.size(), before - 1) << full;
  const CompatReport lite = checkAgainst(path, target);
  ASSERT_EQ(lite.problems.size(), 1u) << describe(lite);
  EXPECT_EQ(lite.problems[0].kind, CompatKind::kMissingOperator);
  EXPECT_EQ(lite.problems[0].subject, full);
  EXPECT_NE(lite.problems[0].message.find("exact overload"), std::string::npos) << lite.problems[0].message;
  EXPECT_NE(lite.problems[0].where.find("bytecode.pkl (method __torch__."), std::string::npos);
  EXPECT_FALSE(lite.problems[0].locations.empty()) << "the code's call sites of " << named->name;
  EXPECT_FALSE(lite.loads());
  // torch::jit::load compiles the code and picks among the other overloads.
  CompatOptions full_runtime;
  full_runtime.runtime = CompatRuntime::kFull;
  EXPECT_TRUE(checkAgainst(path, target, full_runtime).ok()) << describe(checkAgainst(path, target, full_runtime));
}

// From bytecode 6 on, arguments the call sites left out come from the
// target's schema defaults when the op runs.
TEST(CompatLite, ArgumentsFilledFromTheTargetsDefaults) {
  const std::string path = testing::fixture("compat/plain.scripted.ptl");
  const ModelRequirements needs = readRequirements(path);
  ASSERT_TRUE(needs.bytecode.has_value());
  const MobileOperator& op = needs.bytecode->operators.front();
  ASSERT_TRUE(op.arguments.has_value());
  auto withSchema = [&](const std::string& tail, size_t tensors) {
    TargetProfile target = runningTarget();
    target.schemas.erase(std::remove_if(target.schemas.begin(), target.schemas.end(),
                                        [&](const std::string& s) { return s.rfind(op.fullName() + "(", 0) == 0; }),
                         target.schemas.end());
    std::string schema = op.fullName() + "(";
    for (size_t i = 0; i < tensors; ++i) schema += fmt::format("{}Tensor a{}", i ? ", " : "", i);
    target.schemas.push_back(schema + tail + ") -> Tensor");
    return checkAgainst(path, target);
  };
  const size_t passed = *op.arguments;
  EXPECT_TRUE(withSchema(", int added=0", passed).ok()) << describe(withSchema(", int added=0", passed));
  const CompatReport no_default = withSchema(", int added", passed);
  ASSERT_EQ(no_default.problems.size(), 1u) << describe(no_default);
  EXPECT_EQ(no_default.problems[0].kind, CompatKind::kArguments);
  EXPECT_EQ(no_default.problems[0].stage, CompatStage::kRun);
  EXPECT_NE(no_default.problems[0].message.find("'added'"), std::string::npos) << no_default.problems[0].message;
  // An out argument is always passed, last: of `passed`, one is the out
  // and the defaults fill in before it.
  EXPECT_TRUE(withSchema(", int added=0, *, Tensor(a!) out", passed - 1).ok())
      << describe(withSchema(", int added=0, *, Tensor(a!) out", passed - 1));
  EXPECT_FALSE(withSchema(", int added, *, Tensor(a!) out", passed - 1).ok());
  if (*op.arguments > 1) {
    TargetProfile fewer = runningTarget();
    fewer.schemas.erase(std::remove_if(fewer.schemas.begin(), fewer.schemas.end(),
                                       [&](const std::string& s) { return s.rfind(op.fullName() + "(", 0) == 0; }),
                        fewer.schemas.end());
    fewer.schemas.push_back(op.fullName() + "(Tensor self) -> Tensor");
    const CompatReport report = checkAgainst(path, fewer);
    ASSERT_EQ(report.problems.size(), 1u) << describe(report);
    EXPECT_EQ(report.problems[0].kind, CompatKind::kArguments);
  }
}

TEST(CompatLite, SelectiveBuildListNamesExactOverloads) {
  const std::string path = testing::fixture("compat/plain.scripted.ptl");
  const ModelRequirements needs = readRequirements(path);
  ASSERT_TRUE(needs.bytecode.has_value());
  std::string exact;   // what torch.jit.export_opnames writes
  std::string names;   // the operator names without their overloads
  std::set<std::string> seen;
  for (const auto& op : needs.bytecode->operators) {
    if (!seen.insert(op.fullName()).second) continue;
    exact += "- " + op.fullName() + "\n";
    names += "- " + op.name + "\n";
  }
  EXPECT_TRUE(checkAgainst(path, parseTargetProfile(exact, "exact.yaml")).ok());
  const CompatReport report = checkAgainst(path, parseTargetProfile(names, "names.yaml"));
  size_t overloaded = 0;
  for (const auto& full : seen) overloaded += full.find('.') != std::string::npos ? 1 : 0;
  ASSERT_GT(overloaded, 0u);
  EXPECT_EQ(report.problems.size(), overloaded) << describe(report);
  for (const auto& problem : report.problems) EXPECT_EQ(problem.kind, CompatKind::kMissingOperator);
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
