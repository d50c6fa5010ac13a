// A progress line on stderr for long work (the audit's probes): nothing in
// the first seconds, so quick runs print nothing; after that, on a terminal,
// one line redrawn in place and erased at the end; elsewhere (CI logs) a
// plain line at most every `interval`. stdout never sees it.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

namespace jitscope {

class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;

  ProgressLine(std::FILE* out, bool terminal, Clock::duration delay = std::chrono::seconds(2),
               Clock::duration interval = std::chrono::seconds(10), Clock::time_point start = Clock::now());
  ~ProgressLine() { done(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  /// "probing 3/9: input scaled by 10"; shown as "jitscope: probing 3/9: ... (12 s)".
  void update(const std::string& text, Clock::time_point now = Clock::now());
  /// Erases the redrawn line (terminal); nothing otherwise.
  void done();

 private:
  std::FILE* out_;
  bool terminal_;
  Clock::duration delay_;
  Clock::duration interval_;
  Clock::time_point start_;
  Clock::time_point last_shown_{};
  bool shown_ = false;   ///< a plain line was printed
  size_t drawn_ = 0;     ///< width of the redrawn line on the terminal
};

}  // namespace jitscope
