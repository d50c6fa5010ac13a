// `info` against PyTorch's own ground truth: models/manifest.py loads every
// generated model in Python and records the node-kind histogram of its
// inlined forward graph, parameter and buffer counts, and how it was made.
#include "jitscope/inspector/module_info.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "fixtures.h"
#include "jitscope/core/operator_library.h"
#include "jitscope/inspector/model.h"
#include "jitscope/report/info_render.h"

namespace jitscope {
namespace {

struct ManifestEntry {
  std::string file;  ///< absolute path
  std::string name;  ///< path relative to the manifest
  nlohmann::json expected;
};

// Models saved by torch 2.x on the GPU machine (scripts/gpu/build-and-test.sh),
// committed so that CI's LibTorch 1.13 is tested on the newer archive layout.
const std::string kTorch2Data = std::string(JITSCOPE_SOURCE_DIR) + "/tests/data/torch2";

std::vector<ManifestEntry> manifestEntries(const std::string& dir) {
  std::ifstream in(dir + "/manifest.json");
  if (!in) return {};
  const auto manifest = nlohmann::json::parse(in);
  std::vector<ManifestEntry> entries;
  for (const auto& [file, expected] : manifest.items()) {
    if (file == "bad") continue;  // unusable inputs, tested in test_archive
    // BERT-base models exist only after the bench_fixtures target ran.
    if (file.rfind("bench/", 0) == 0 && !std::ifstream(dir + "/" + file)) continue;
    entries.push_back({dir + "/" + file, file, expected});
  }
  return entries;
}

// Readable test names and failure messages instead of gtest's byte dump.
void PrintTo(const ManifestEntry& entry, std::ostream* out) { *out << entry.name; }

class ManifestTest : public ::testing::TestWithParam<ManifestEntry> {};

// A fixture folder whose models call torchvision's operators holds the path
// of torchvision's library (models/jitscope_fixtures/detection.py), loaded
// once as --load-library would.
void loadOperatorLibrariesFor(const std::string& file) {
  std::ifstream listed(std::filesystem::path(file).parent_path() / "torchvision_library.txt");
  std::string library;
  if (!std::getline(listed, library) || library.empty()) return;
  if (std::find(loadedOperatorLibraries().begin(), loadedOperatorLibraries().end(), library) ==
      loadedOperatorLibraries().end()) {
    loadOperatorLibrary(library);
  }
}

TEST_P(ManifestTest, MatchesPyTorch) {
  const auto& [file, name, expected] = GetParam();
  loadOperatorLibrariesFor(file);
  const ModuleInfo info = describeModel(loadModel(file));

  const auto expected_ops = expected["ops"].get<std::map<std::string, size_t>>();
  EXPECT_EQ(info.forward.ops, expected_ops);
  EXPECT_EQ(info.forward.nodes, expected["nodes"].get<size_t>());
  EXPECT_EQ(info.forward.if_nodes, expected["if"].get<size_t>());
  EXPECT_EQ(info.forward.loop_nodes, expected["loop"].get<size_t>());
  EXPECT_EQ(info.parameters.count, expected["params"].get<size_t>());
  EXPECT_EQ(info.buffers.count, expected["buffers"].get<size_t>());
  EXPECT_EQ(toString(info.provenance.verdict()), expected["provenance"].get<std::string>());

  // Without reading tensor data (info --static) the description is the same.
  const ModuleInfo skipped = describeModel(loadModel(file, TensorData::kSkip));
  EXPECT_EQ(skipped.forward.ops, expected_ops);
  EXPECT_EQ(skipped.parameters.bytes, info.parameters.bytes);
  EXPECT_EQ(skipped.parameters.dtypes, info.parameters.dtypes);
  EXPECT_EQ(skipped.buffers.count, info.buffers.count);
  EXPECT_EQ(skipped.provenance.verdict(), info.provenance.verdict());

  // The JSON the CLI prints carries the same histogram under "ops".
  const auto json = nlohmann::json::parse(renderInfoJson(info, readRequirements(info.archive)));
  EXPECT_EQ(json["ops"].get<decltype(expected_ops)>(), expected_ops);
  EXPECT_EQ(json["provenance"], expected["provenance"]);
}

std::string testName(const ::testing::TestParamInfo<ManifestEntry>& info) {
  return testing::testNameFor(info.param.name);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ManifestTest,
                         ::testing::ValuesIn(manifestEntries(JITSCOPE_FIXTURES_DIR)), testName);
INSTANTIATE_TEST_SUITE_P(Torch2Archives, ManifestTest,
                         ::testing::ValuesIn(manifestEntries(kTorch2Data)), testName);

TEST(Torch2Archives, AreRecognisedAsTorch2Layout) {
  const ModuleInfo info = describeModel(loadModel(kTorch2Data + "/my_cell.traced.pt"));
  EXPECT_TRUE(info.archive.writtenByTorch2());
  EXPECT_EQ(info.archive.byte_order, "little");
  EXPECT_EQ(info.archive.traced_input_records, 2u);  // the trace's (x, h)
}

TEST(Manifest, CoversTheFixtureZoo) {
  // Guard against an empty or partial manifest silently passing the above.
  const auto entries = manifestEntries(JITSCOPE_FIXTURES_DIR);
  std::set<std::string> files;
  for (const auto& entry : entries) files.insert(entry.name);
  for (const char* required :
       {"my_cell.traced.pt", "my_cell.scripted.pt", "resnet18.traced.pt",
        "resnet18.scripted.pt", "bert_tiny.traced.pt", "bert_tiny.scripted.pt",
        "mobilenet_v3_small.traced.pt", "transformer_encoder.scripted.pt",
        "mixing_trace_calls_script.pt", "mixing_script_calls_trace.pt"}) {
    EXPECT_EQ(files.count(required), 1u) << required;
  }
  EXPECT_GT(entries.size(), 30u);
}

}  // namespace
}  // namespace jitscope
