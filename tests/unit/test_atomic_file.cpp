// Interrupted runs leave nothing half-written: a process killed by SIGINT
// or SIGTERM while an AtomicFile is open removes the temporary file, and
// still dies of the signal.
#include "jitscope/core/atomic_file.h"
#include "jitscope/core/paths.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace jitscope {
namespace {

namespace fs = std::filesystem;

size_t entries(const fs::path& dir) {
  return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

class InterruptedWrite : public ::testing::TestWithParam<int> {};

TEST_P(InterruptedWrite, LeavesNoFileBehind) {
  const int sig = GetParam();
  std::string pattern = (fs::temp_directory_path() / "jitscope-atomic-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // A background shell job starts with SIGINT ignored; a user's run does not.
    std::signal(sig, SIG_DFL);
    AtomicFile out((dir / "out.svg").string());
    out.write("<svg>half an output");
    (void)!::write(ready[1], "r", 1);
    while (true) ::pause();
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  // The temporary file exists while the write is in progress, so an empty
  // folder afterwards is the handler's doing.
  EXPECT_EQ(entries(dir), 1u);
  ::kill(child, sig);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << "status " << status;
  EXPECT_EQ(entries(dir), 0u) << "left a file in " << dir;
  ::close(ready[0]);
  ::close(ready[1]);
  removeTree(dir.string());  // not std::filesystem::remove_all: see core/paths.h
}

INSTANTIATE_TEST_SUITE_P(Signals, InterruptedWrite, ::testing::Values(SIGINT, SIGTERM),
                         [](const auto& info) { return info.param == SIGINT ? "SIGINT" : "SIGTERM"; });

TEST(AtomicFile, CommitReplacesTheTargetAndUncommittedLeavesNothing) {
  std::string pattern = (fs::temp_directory_path() / "jitscope-atomic-XXXXXX").string();
  ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
  const fs::path dir = pattern;
  writeFileAtomically((dir / "a.txt").string(), "done");
  { AtomicFile abandoned((dir / "b.txt").string()); abandoned.write("partial"); }
  EXPECT_EQ(entries(dir), 1u);
  EXPECT_TRUE(fs::exists(dir / "a.txt"));
  removeTree(dir.string());  // not std::filesystem::remove_all: see core/paths.h
}

}  // namespace
}  // namespace jitscope
