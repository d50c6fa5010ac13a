// Target profiles: the bundled table of a LibTorch version must be what
// that LibTorch reports (a table generated on one machine and read on
// another is only as good as this equality), and every target form reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "jitscope/core/errors.h"
#include "jitscope/validators/target.h"

namespace jitscope {
namespace {

// The first few entries of `a` missing from `b`, for a readable failure.
std::string firstMissing(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> missing;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(missing));
  std::string text = std::to_string(missing.size()) + " missing";
  for (size_t i = 0; i < missing.size() && i < 5; ++i) text += "\n  " + missing[i];
  return text;
}

TEST(TargetTest, BundledTableOfTheRunningVersionIsWhatItReports) {
  const std::string name = runningTargetName();
  const std::vector<std::string> bundled = bundledTargetNames();
  if (std::find(bundled.begin(), bundled.end(), name) == bundled.end()) {
    GTEST_SKIP() << "no bundled table for " << name << "; `jitscope target-info -o validators/targets/" << name
                 << ".json` writes one";
  }
  const TargetProfile table = loadTarget(name);
  const TargetProfile running = describeRunningLibTorch();
  EXPECT_EQ(table.torch_version, running.torch_version);
  EXPECT_EQ(table.min_file_format, running.min_file_format);
  EXPECT_EQ(table.max_file_format, running.max_file_format);
  EXPECT_EQ(table.min_bytecode, running.min_bytecode);
  EXPECT_EQ(table.max_bytecode, running.max_bytecode);
  EXPECT_EQ(table.quantized_engines, running.quantized_engines);
  EXPECT_EQ(table.custom_classes, running.custom_classes);
  EXPECT_TRUE(table.schemas == running.schemas)
      << "the table lacks what LibTorch has: " << firstMissing(running.schemas, table.schemas)
      << "\nthe table has what LibTorch lacks: " << firstMissing(table.schemas, running.schemas);
  EXPECT_GT(table.schemas.size(), 1000u);
}

TEST(TargetTest, JsonRoundTrips) {
  const TargetProfile running = describeRunningLibTorch();
  const TargetProfile read = parseTargetProfile(targetProfileJson(running), "round-trip.json");
  EXPECT_EQ(read.torch_version, running.torch_version);
  EXPECT_EQ(read.max_file_format, running.max_file_format);
  EXPECT_EQ(read.cuda, running.cuda);
  EXPECT_EQ(read.custom_classes, running.custom_classes);
  EXPECT_EQ(read.schemas, running.schemas);
  EXPECT_FALSE(read.operator_list_only);
}

TEST(TargetTest, SelectiveBuildListsRead) {
  const TargetProfile plain = parseTargetProfile("- aten::add.Tensor\n- aten::relu\n", "ops.yaml");
  EXPECT_TRUE(plain.operator_list_only);
  EXPECT_EQ(plain.operator_names, (std::vector<std::string>{"aten::add.Tensor", "aten::relu"}));

  const TargetProfile selected = parseTargetProfile(
      "operators:\n"
      "  aten::add.Tensor:\n"
      "    is_root_operator: true\n"
      "    include_all_overloads: false\n"
      "  aten::conv2d:\n"
      "    include_all_overloads: true\n",
      "selected_operators.yaml");
  EXPECT_TRUE(selected.operator_list_only);
  EXPECT_EQ(selected.operator_names, (std::vector<std::string>{"aten::add.Tensor", "aten::conv2d", "aten::conv2d.*"}));
}

TEST(TargetTest, BadTargetsNameTheFileAndTheFix) {
  try {
    parseTargetProfile("{\"jitscope_target\": 99}", "future.json");
    FAIL() << "a newer table format must be refused";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("future.json"), std::string::npos) << error.what();
  }
  try {
    loadTarget("libtorch-0.1");
    FAIL() << "an unknown name that is no file must be refused";
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("libtorch-1.13"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace jitscope
