// The two ways a request fails before producing results: the user asked for
// something malformed (UsageError, exit 2; a SettingError when one setting's
// value is at fault) or gave us a file we cannot use (InputError, exit 3). Library code throws these; LibTorch's c10::Error is
// translated into InputError at the inspector boundary and never escapes.
#pragma once

#include <functional>
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

/// A setting the user gives (on the command line a flag, in `jitscope ci`'s
/// TOML a key). Lower layers name settings by this, never by a flag.
enum class Setting {
  kDevice,       ///< where a model runs: check's sides, the audit's probes, bench
  kExpected,     ///< saved expected outputs of the output check
  kInputs,       ///< a model's example inputs (torch.save'd files)
  kSourceRoot,   ///< folders holding the model's Python sources (audit)
  kProbeBudget,  ///< seconds the audit's probes may take
  kProbes,       ///< input variants the audit's probes try per input set
  kIterations,   ///< timed runs (bench)
  kFocus,        ///< the spot a drawing is centred on (graph)
};

/// The setting's plain name ("device", "source root"): what() words a
/// SettingError with it when no front end does.
std::string_view settingName(Setting setting);

/// Errors as data: which setting, the value given, what was wrong with it
/// and what is allowed. It is a UsageError (exit 2 on the command line).
/// The layer that finds it does not know how the user gave the setting;
/// each front end words it in its own terms (cli/error_wording.cpp: the
/// flag; cli/ci_config.cpp: the TOML key).
class SettingError : public UsageError {
 public:
  /// `problem`: what was wrong, naming no setting ("unknown device");
  /// `allowed`: what to give instead ("use cpu or cuda[:N]"), or "".
  SettingError(Setting setting, std::string value, std::string problem, std::string allowed = "");

  Setting setting() const { return setting_; }
  const std::string& value() const { return value_; }
  const std::string& problem() const { return problem_; }
  const std::string& allowed() const { return allowed_; }

  /// "NAME 'VALUE': PROBLEM; ALLOWED" (without a value "NAME PROBLEM"),
  /// NAME being how the front end calls the setting ("--device").
  std::string worded(std::string_view name) const;

 private:
  Setting setting_;
  std::string value_;
  std::string problem_;
  std::string allowed_;
};

/// How a front end names a setting in advice that lower layers write into
/// reports ("pass --source-root DIR" on the command line, "pass source-root
/// = [\"DIR\"] in [model.audit]" for ci): the setting as the user would
/// give it. Empty: the plain settingName.
using SettingNames = std::function<std::string(Setting)>;

/// names(setting), or settingName(setting) when `names` is empty.
std::string nameOf(const SettingNames& names, Setting setting);

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
