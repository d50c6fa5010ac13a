// `info` against PyTorch's own ground truth: models/manifest.py loads every
// generated model in Python and records the node-kind histogram of its
// inlined forward graph, parameter and buffer counts, and how it was made.
#include "jitscope/inspector/module_info.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>

#include "fixtures.h"
#include "jitscope/inspector/model.h"
#include "jitscope/report/info_render.h"

namespace jitscope {
namespace {

struct ManifestEntry {
  std::string file;
  nlohmann::json expected;
};

std::vector<ManifestEntry> manifestEntries() {
  std::ifstream in(testing::fixture("manifest.json"));
  if (!in) return {};
  const auto manifest = nlohmann::json::parse(in);
  std::vector<ManifestEntry> entries;
  for (const auto& [file, expected] : manifest.items()) {
    if (file == "bad") continue;  // unusable inputs, tested in test_archive
    // BERT-base models exist only after the bench_fixtures target ran.
    if (file.rfind("bench/", 0) == 0 && !std::ifstream(testing::fixture(file))) continue;
    entries.push_back({file, expected});
  }
  return entries;
}

// Readable test names and failure messages instead of gtest's byte dump.
void PrintTo(const ManifestEntry& entry, std::ostream* out) { *out << entry.file; }

class ManifestTest : public ::testing::TestWithParam<ManifestEntry> {};

TEST_P(ManifestTest, MatchesPyTorch) {
  const auto& [file, expected] = GetParam();
  const ModuleInfo info = describeModel(loadModel(testing::fixture(file)));

  const auto expected_ops = expected["ops"].get<std::map<std::string, size_t>>();
  EXPECT_EQ(info.forward.ops, expected_ops);
  EXPECT_EQ(info.forward.nodes, expected["nodes"].get<size_t>());
  EXPECT_EQ(info.forward.if_nodes, expected["if"].get<size_t>());
  EXPECT_EQ(info.forward.loop_nodes, expected["loop"].get<size_t>());
  EXPECT_EQ(info.parameters.count, expected["params"].get<size_t>());
  EXPECT_EQ(info.buffers.count, expected["buffers"].get<size_t>());
  EXPECT_EQ(toString(info.provenance.verdict()), expected["provenance"].get<std::string>());

  // The JSON the CLI prints carries the same histogram under "ops".
  const auto json = nlohmann::json::parse(renderInfoJson(info));
  EXPECT_EQ(json["ops"].get<decltype(expected_ops)>(), expected_ops);
  EXPECT_EQ(json["provenance"], expected["provenance"]);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ManifestTest, ::testing::ValuesIn(manifestEntries()),
                         [](const auto& info) {
                           std::string name = info.param.file;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(Manifest, CoversTheFixtureZoo) {
  // Guard against an empty or partial manifest silently passing the above.
  const auto entries = manifestEntries();
  std::set<std::string> files;
  for (const auto& entry : entries) files.insert(entry.file);
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
