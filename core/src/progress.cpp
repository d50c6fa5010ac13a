#include "jitscope/core/progress.h"

#include <fmt/format.h>

namespace jitscope {

ProgressLine::ProgressLine(std::FILE* out, bool terminal, Clock::duration delay, Clock::duration interval,
                           Clock::time_point start)
    : out_(out), terminal_(terminal), delay_(delay), interval_(interval), start_(start) {}

void ProgressLine::update(const std::string& text, Clock::time_point now) {
  if (!out_ || now - start_ < delay_) return;
  if (!terminal_ && shown_ && now - last_shown_ < interval_) return;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - start_).count();
  std::string line = fmt::format("jitscope: {} ({} s)", text, seconds);
  if (terminal_) {
    const size_t width = line.size();
    if (line.size() < drawn_) line.append(drawn_ - line.size(), ' ');  // cover the longer line before
    std::fputs(("\r" + line).c_str(), out_);
    drawn_ = width;
  } else {
    std::fputs((line + "\n").c_str(), out_);
  }
  std::fflush(out_);
  shown_ = true;
  last_shown_ = now;
}

void ProgressLine::done() {
  if (!out_ || !terminal_ || drawn_ == 0) return;
  std::fputs(("\r" + std::string(drawn_, ' ') + "\r").c_str(), out_);
  std::fflush(out_);
  drawn_ = 0;
}

}  // namespace jitscope
