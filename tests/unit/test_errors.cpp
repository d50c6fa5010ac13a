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

// Errors as data: a front end words the setting its own way; what() uses
// the plain name, the value is quoted and kept on one line.
TEST(SettingErrors, CarryTheSettingAndAreWordedByTheFrontEnd) {
  const SettingError error(Setting::kDevice, "tp\nu", "unknown device", "use cpu or cuda[:N]");
  EXPECT_EQ(error.setting(), Setting::kDevice);
  EXPECT_EQ(error.value(), "tp\nu");
  EXPECT_STREQ(error.what(), "device 'tp\\x0au': unknown device; use cpu or cuda[:N]");
  EXPECT_EQ(error.worded("--device"), "--device 'tp\\x0au': unknown device; use cpu or cuda[:N]");
  const SettingError no_value(Setting::kIterations, "", "must be at least 1");
  EXPECT_EQ(no_value.worded("--iters"), "--iters must be at least 1");
  const UsageError& usage = no_value;  // exit 2 wherever UsageError is handled
  EXPECT_STREQ(usage.what(), "iterations must be at least 1");
}

TEST(SettingErrors, AdviceUsesTheFrontEndsNamesOrThePlainOnes) {
  EXPECT_EQ(nameOf({}, Setting::kSourceRoot), "source root");
  const SettingNames flags = [](Setting s) { return s == Setting::kSourceRoot ? "--source-root DIR" : "?"; };
  EXPECT_EQ(nameOf(flags, Setting::kSourceRoot), "--source-root DIR");
}

TEST(MessageLines, InputErrorNamesThePathAndKeepsOneLine) {
  const InputError error("dir/m\n.pt", "bad\nthing");
  EXPECT_STREQ(error.what(), "'dir/m\\x0a.pt': bad\\x0athing");
}

}  // namespace
}  // namespace jitscope
