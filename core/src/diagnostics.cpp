#include "jitscope/core/diagnostics.h"

#include <fmt/format.h>
#include <cstdlib>
#include <unistd.h>

namespace jitscope {

std::string_view toString(Severity severity) {
  switch (severity) {
    case Severity::kNote:
      return "note";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

namespace {

bool decideColor(std::FILE* stream, ColorMode mode) {
  if (mode != ColorMode::kAuto) return mode == ColorMode::kAlways;
  const char* term = std::getenv("TERM");
  if (std::getenv("NO_COLOR") || (term && std::string_view(term) == "dumb")) {
    return false;
  }
  return ::isatty(::fileno(stream)) != 0;
}

// ANSI colours as LLVM's WithColor uses them: errors red, warnings magenta,
// notes black-bold, all bold.
std::string_view colorFor(Severity severity) {
  switch (severity) {
    case Severity::kNote:
      return "\033[1;30m";
    case Severity::kWarning:
      return "\033[1;35m";
    case Severity::kError:
      return "\033[1;31m";
  }
  return "";
}

}  // namespace

Diagnostics::Diagnostics(std::FILE* stream, ColorMode color)
    : stream_(stream), color_(decideColor(stream, color)) {}

void Diagnostics::report(Severity severity, std::string_view message) {
  if (severity == Severity::kWarning &&
      !seen_warnings_.emplace(message).second) {
    return;
  }
  if (color_) {
    fmt::print(stream_, "\033[1mjitscope: {}{}:\033[0m {}\n",
               colorFor(severity), toString(severity), message);
  } else {
    fmt::print(stream_, "jitscope: {}: {}\n", toString(severity), message);
  }
  std::fflush(stream_);
}

}  // namespace jitscope
