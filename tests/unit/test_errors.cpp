#include "jitscope/core/errors.h"

#include <gtest/gtest.h>

namespace jitscope {
namespace {

// LibTorch's messages: the reason first and a backtrace after (firstLine),
// or the call site first and the reason last (lastLine).
TEST(MessageLines, FirstLineSkipsBlankLinesAndTrims) {
  EXPECT_EQ(firstLine("\n  \n  Expected a tensor:\n  at model.py:3\n"), "Expected a tensor");
  EXPECT_EQ(firstLine(""), "");
}

TEST(MessageLines, LastLineSkipsTrailingBlankLinesAndTrims) {
  const std::string interpreter =
      "The following operation failed in the TorchScript interpreter.\n"
      "Traceback of TorchScript (most recent call last):\n"
      "  File \"m.py\", line 3\n"
      "  RuntimeError: mat1 and mat2 shapes cannot be multiplied (3x5 and 4x4)\r\n\n  \n";
  EXPECT_EQ(lastLine(interpreter), "RuntimeError: mat1 and mat2 shapes cannot be multiplied (3x5 and 4x4)");
  EXPECT_EQ(lastLine("one line"), "one line");
  EXPECT_EQ(lastLine(" \n\t\n"), "");
}

TEST(MessageLines, InputErrorNamesThePathAndKeepsOneLine) {
  const InputError error("dir/m\n.pt", "bad\nthing");
  EXPECT_STREQ(error.what(), "'dir/m\\x0a.pt': bad\\x0athing");
}

}  // namespace
}  // namespace jitscope
