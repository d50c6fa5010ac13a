// The progress line of long work: silent in the first seconds, redrawn in
// place on a terminal and erased at the end, throttled plain lines in logs.
#include "jitscope/core/progress.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace jitscope {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string contents(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  for (int c; (c = std::fgetc(f)) != EOF;) out += static_cast<char>(c);
  return out;
}

TEST(ProgressLine, SilentBeforeTheDelayThenPlainLinesAtMostEveryInterval) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  const auto t0 = ProgressLine::Clock::time_point{} + seconds(100);
  {
    ProgressLine line(f, /*terminal=*/false, seconds(2), seconds(10), t0);
    line.update("probing 1/9", t0 + milliseconds(1500));  // quick work prints nothing
    line.update("probing 2/9", t0 + seconds(3));
    line.update("probing 3/9", t0 + seconds(8));           // within the interval: dropped
    line.update("probing 4/9", t0 + seconds(14));
  }
  EXPECT_EQ(contents(f), "jitscope: probing 2/9 (3 s)\njitscope: probing 4/9 (14 s)\n");
  std::fclose(f);
}

TEST(ProgressLine, RedrawsOneLineOnATerminalAndErasesIt) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  const auto t0 = ProgressLine::Clock::time_point{} + seconds(100);
  ProgressLine line(f, /*terminal=*/true, seconds(2), seconds(10), t0);
  line.update("probing 10/19: long name", t0 + seconds(3));
  line.update("probing 11/19", t0 + seconds(4));
  line.done();
  const std::string first = "jitscope: probing 10/19: long name (3 s)";
  const std::string second = "jitscope: probing 11/19 (4 s)";
  EXPECT_EQ(contents(f), "\r" + first + "\r" + second + std::string(first.size() - second.size(), ' ') + "\r" +
                             std::string(second.size(), ' ') + "\r");
  std::fclose(f);
}

TEST(ProgressLine, NothingToEraseWhenNothingWasShown) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  const auto t0 = ProgressLine::Clock::time_point{} + seconds(100);
  {
    ProgressLine line(f, /*terminal=*/true, seconds(2), seconds(10), t0);
    line.update("probing 1/9", t0 + seconds(1));
  }
  EXPECT_EQ(contents(f), "");
  std::fclose(f);
}

}  // namespace
}  // namespace jitscope
