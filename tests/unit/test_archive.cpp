// The archive gate: every kind of file that is not a usable TorchScript
// archive is refused with one line that says what it is and what to do.
#include "jitscope/inspector/archive.h"

#include <gtest/gtest.h>

#include <torch/csrc/jit/serialization/pickle.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "fixtures.h"
#include "jitscope/core/paths.h"
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

// The hostile corpus (models/jitscope_fixtures/hostile.py) through the gate:
// the validation happens before torch::jit::load, with a precise reason.
INSTANTIATE_TEST_SUITE_P(
    Hostile, BadInputTest,
    ::testing::Values(
        BadInput{"hostile/short_tensor.pt",
                 "record 'my_cell.traced/data/0' holds 12 bytes but the pickle declares 64 (16 x float32): "
                 "the file is truncated or was edited; re-export it"},
        BadInput{"hostile/missing_tensor.pt", "record 'my_cell.traced/data/0' is missing but data.pkl declares"},
        BadInput{"hostile/huge_numel.pt", "holds 64 bytes but the pickle declares 4398046511104"},
        BadInput{"hostile/numel_overflow.pt", "the size overflows"},
        BadInput{"hostile/huge_shape.pt", "overflows 64 bits"},
        BadInput{"hostile/shape_past_storage.pt", "needs 4096 elements but its storage '0' declares 16"},
        BadInput{"hostile/unknown_dtype.pt", "'torch.EvilStorage'"},
        BadInput{"hostile/memo_bomb.pt", "stores memo entry 1920103026"},
        BadInput{"hostile/pickle_os_system.pt", "'my_cell.traced/data.pkl': pickle refers to the global 'os.system'"},
        BadInput{"hostile/pickle_builtins_eval.pt", "the global 'builtins.eval'"},
        BadInput{"hostile/constants_os_system.pt", "'my_cell.traced/constants.pkl': pickle refers to the global"},
        BadInput{"hostile/garbage_data_pkl.pt", "record 'my_cell.traced/data.pkl'"},
        BadInput{"hostile/truncated_data_pkl.pt", "truncated"},
        BadInput{"hostile/zip_bomb.pt", "zip bomb"},
        BadInput{"hostile/overlapping_records.pt", "overlap"},
        BadInput{"hostile/duplicate_record.pt", "appears twice"},
        BadInput{"hostile/dotdot_record.pt", "not a plain relative path"},
        BadInput{"hostile/deflated_data_pkl.pt", "is compressed"},
        BadInput{"hostile/bzip2_records.pt", "compression method 12"},
        BadInput{"hostile/version_high.pt", "format version 999 is outside"},
        BadInput{"hostile/torch_save_legacy.pt", "legacy torch.save"}),
    [](const auto& info) { return testing::testNameFor(info.param.file); });

std::string readRecord(const std::string& archive, const std::string& suffix) {
  // Small stored records only; enough to pull data.pkl out of a fixture.
  std::ifstream in(archive, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  const std::string all = bytes.str();
  const auto name = all.find(suffix);
  EXPECT_NE(name, std::string::npos);
  // Local header: sizes at offset 18 (compressed), name length at 26.
  const size_t header = all.rfind(std::string("PK\x03\x04", 4), name);
  auto le = [&](size_t at, int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(all[at + i])) << (8 * i);
    return v;
  };
  const uint32_t size = le(header + 18, 4);
  const size_t data = header + 30 + le(header + 26, 2) + le(header + 28, 2);
  return all.substr(data, size);
}

// Without the gate, LibTorch's own Unpickler meets the hostile pickle. It
// runs no Python: an unknown GLOBAL is an error, and the payload's marker
// file (which Python's pickle.loads does create; hostile.py checks that at
// build time) never appears. This pins the behaviour the gate relies on.
TEST(HostilePickle, LibTorchUnpicklerRefusesWithoutRunningIt) {
  const std::string payload = readRecord(testing::fixture("hostile/pickle_os_system.pt"), "data.pkl");
  ASSERT_NE(payload.find("os\nsystem"), std::string::npos);
  const auto dir = std::filesystem::temp_directory_path() / ("jitscope-unpickle-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  std::string error;
  try {
    torch::jit::unpickle(payload.data(), payload.size());
  } catch (const c10::Error& e) {
    error = e.what_without_backtrace();
  }
  const bool marker = std::filesystem::exists(dir / "jitscope-hostile-marker");
  std::filesystem::current_path(cwd);
  removeTree(dir.string());  // not std::filesystem::remove_all: see core/paths.h
  EXPECT_FALSE(marker);
  EXPECT_NE(error.find("os.system"), std::string::npos) << error;
}

}  // namespace
}  // namespace jitscope
