// The two ways a request fails before producing results: the user asked for
// something malformed (UsageError, exit 2) or gave us a file we cannot use
// (InputError, exit 3). Library code throws these; LibTorch's c10::Error is
// translated into InputError at the inspector boundary and never escapes.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace jitscope {

/// A file the user named cannot be used: missing, not TorchScript, corrupt.
/// what() is one line: "'PATH': PROBLEM[: HINT]"; control characters in
/// either (a hostile archive's record names, say) are shown as \xNN.
class InputError : public std::runtime_error {
 public:
  InputError(std::string path, std::string problem);

  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string path_;
  std::string problem_;
};

/// The command line asks for something that does not exist or conflicts.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// `text` with control characters (newlines included) written as \xNN, so
/// text from a file cannot break a one-line message or drive a terminal.
std::string printable(std::string_view text);

/// First non-empty line of a (possibly multi-line) message, trimmed. LibTorch
/// errors carry source excerpts and C++ backtraces after the first line.
std::string firstLine(const std::string& message);

/// Last non-empty line, trimmed. TorchScript interpreter errors put the
/// reason last, after the call site; a child's stderr ends with its error.
std::string lastLine(const std::string& message);

}  // namespace jitscope
