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

// The temporary file a progress line writes to, closed at the end.
struct Output {
  std::FILE* f = std::tmpfile();
  ~Output() {
    if (f) std::fclose(f);
  }
  std::string contents() const {
    std::fflush(f);
    std::rewind(f);
    std::string out;
    for (int c; (c = std::fgetc(f)) != EOF;) out += static_cast<char>(c);
    return out;
  }
};

// Where the clock of every progress line below starts.
const auto t0 = ProgressLine::Clock::time_point{} + seconds(100);

TEST(ProgressLine, SilentBeforeTheDelayThenPlainLinesAtMostEveryInterval) {
  const Output out;
  ASSERT_NE(out.f, nullptr);
  {
    ProgressLine line(out.f, /*terminal=*/false, seconds(2), seconds(10), t0);
    line.update("probing 1/9", t0 + milliseconds(1500));  // quick work prints nothing
    line.update("probing 2/9", t0 + seconds(3));
    line.update("probing 3/9", t0 + seconds(8));           // within the interval: dropped
    line.update("probing 4/9", t0 + seconds(14));
  }
  EXPECT_EQ(out.contents(), "jitscope: probing 2/9 (3 s)\njitscope: probing 4/9 (14 s)\n");
}

TEST(ProgressLine, RedrawsOneLineOnATerminalAndErasesIt) {
  const Output out;
  ASSERT_NE(out.f, nullptr);
  ProgressLine line(out.f, /*terminal=*/true, seconds(2), seconds(10), t0);
  line.update("probing 10/19: long name", t0 + seconds(3));
  line.update("probing 11/19", t0 + seconds(4));
  line.done();
  const std::string first = "jitscope: probing 10/19: long name (3 s)";
  const std::string second = "jitscope: probing 11/19 (4 s)";
  EXPECT_EQ(out.contents(), "\r" + first + "\r" + second + std::string(first.size() - second.size(), ' ') + "\r" +
                             std::string(second.size(), ' ') + "\r");
}

TEST(ProgressLine, NothingToEraseWhenNothingWasShown) {
  const Output out;
  ASSERT_NE(out.f, nullptr);
  {
    ProgressLine line(out.f, /*terminal=*/true, seconds(2), seconds(10), t0);
    line.update("probing 1/9", t0 + seconds(1));
  }
  EXPECT_EQ(out.contents(), "");
}

}  // namespace
}  // namespace jitscope
