// The archive gate: every kind of file that is not a usable TorchScript
// archive is refused with one line that says what it is and what to do.
#include "jitscope/inspector/archive.h"

#include <gtest/gtest.h>

#include "fixtures.h"
#include "jitscope/core/errors.h"
#include "jitscope/inspector/model.h"

namespace jitscope {
namespace {

struct BadInput {
  const char* file;
  const char* expected;  // words the one-line diagnosis must contain
};

void PrintTo(const BadInput& input, std::ostream* out) { *out << input.file; }

class BadInputTest : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputTest, IsRefusedWithOneClearLine) {
  const std::string path = testing::fixture(GetParam().file);
  try {
    loadModel(path);
    FAIL() << path << " was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.path(), path);
    EXPECT_NE(e.problem().find(GetParam().expected), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, BadInputTest,
    ::testing::Values(BadInput{"bad/empty.pt", "empty"},
                      BadInput{"bad/random.pt", "not a TorchScript archive"},
                      BadInput{"bad/not_a_model.txt", "not a TorchScript archive"},
                      BadInput{"bad/truncated.pt", "truncated"},
                      BadInput{"bad/state_dict.pt", "state_dict"},
                      BadInput{"bad/tensor.pt", "holding a tensor"},
                      BadInput{"bad/model.onnx", "ONNX"},
                      BadInput{"bad/corrupt_code.pt", "cannot load TorchScript"},
                      BadInput{"bad", "is a directory"},
                      BadInput{"bad/no-such-file.pt", "no such file"}),
    [](const auto& info) { return testing::testNameFor(info.param.file); });

TEST(InspectArchive, ReadsMetadataOfATracedModel) {
  const ArchiveInfo info = inspectArchive(testing::fixture("my_cell.traced.pt"));
  EXPECT_FALSE(info.prefix.empty());
  EXPECT_GE(info.format_version, info.min_supported_version);
  EXPECT_LE(info.format_version, info.max_supported_version);
  EXPECT_TRUE(info.hasDebugInfo());
  EXPECT_EQ(info.tensor_records, 2u);  // Linear(4, 4): weight and bias
  EXPECT_EQ(info.tensor_bytes, (16u + 4u) * sizeof(float));
  EXPECT_GE(info.code_files, 1u);
}

}  // namespace
}  // namespace jitscope
