// One place that prints "jitscope: error: ..." style diagnostics to stderr.
// stdout carries data only; everything a human reads about problems goes
// through here so colour and de-duplication are decided once.
#pragma once

#include <cstdio>
#include <set>
#include <string>
#include <string_view>

namespace jitscope {

enum class Severity { kNote, kWarning, kError };

/// "note", "warning" or "error".
std::string_view toString(Severity severity);

enum class ColorMode { kAuto, kAlways, kNever };

/// Prints diagnostics with the tool name prefix; colour only on a terminal
/// (or when forced), and a repeated warning is printed once.
class Diagnostics {
 public:
  explicit Diagnostics(std::FILE* stream = stderr,
                       ColorMode color = ColorMode::kAuto);

  void report(Severity severity, std::string_view message);
  void error(std::string_view message) { report(Severity::kError, message); }
  void warning(std::string_view message) {
    report(Severity::kWarning, message);
  }
  void note(std::string_view message) { report(Severity::kNote, message); }

  bool useColor() const { return color_; }

 private:
  std::FILE* stream_;
  bool color_;
  std::set<std::string, std::less<>> seen_warnings_;
};

}  // namespace jitscope
