// The option groups several commands share, each declared once, read by one
// parser and refused with one message: tolerances (--rtol/--atol), the
// output format (--format), the failing severity (--fail-on) and the pass
// choice (--preset/--passes). The TOML front end (ci_config.cpp) reads the
// same values through the same name parsers and words its own messages.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command_line.h"
#include "jitscope/core/diagnostics.h"
#include "jitscope/inspector/model.h"
#include "jitscope/report/output_format.h"
#include "jitscope/validators/output_compare.h"

namespace jitscope {
struct PassInfo;
}

namespace jitscope::cli {

/// "note", "warning", "error"; nullopt for anything else.
std::optional<Severity> severityNamed(std::string_view name);

/// A tolerance: a whole number text >= 0 ("1e-4"); nullopt otherwise.
std::optional<double> toleranceNamed(const std::string& text);

/// --rtol R --atol A. `applies_to` ends the help ("for every output").
class ToleranceFlags {
 public:
  void declare(po::options_description& options, const std::string& applies_to);
  /// Reads both after parseCommandLine; throws UsageError for a bad number.
  void read();
  bool given() const { return rtol_.has_value() || atol_.has_value(); }
  /// Overrides the dtype defaults with what was given.
  void applyTo(ToleranceOptions& tolerance) const;

 private:
  std::string rtol_text_;
  std::string atol_text_;
  std::optional<double> rtol_;
  std::optional<double> atol_;
};

/// --format NAME among `allowed` (default: the first).
class FormatFlag {
 public:
  void declare(po::options_description& options, std::vector<OutputFormat> allowed);
  /// Throws UsageError naming the allowed formats.
  OutputFormat read() const;

 private:
  std::string name_;
  std::vector<OutputFormat> allowed_;
};

/// --fail-on note|warning|error (default warning).
class FailOnFlag {
 public:
  void declare(po::options_description& options);
  Severity read() const;

 private:
  std::string name_;
};

/// --static (info, dump): read the code and structure, not the tensor data.
class StaticFlag {
 public:
  void declare(po::options_description& options);
  TensorData read() const { return skip_ ? TensorData::kSkip : TensorData::kLoad; }

 private:
  bool skip_ = false;
};

/// --preset NAME / --passes a,b,c: a pipeline of the pass table.
struct PassChoice {
  std::string pipeline;  ///< "preset inference", "passes dce,cse"; empty: none chosen
  std::vector<const PassInfo*> passes;
};

/// The pipeline of the preset `name`; nullopt when no preset has that name.
std::optional<PassChoice> presetChoice(std::string_view name);

class PassChoiceFlags {
 public:
  /// `default_preset` empty: one of the two must be given (opt); else that
  /// preset is the default and "none" chooses no pipeline (report).
  void declare(po::options_description& options, const std::string& default_preset);
  /// Checked before any model is read; throws UsageError.
  PassChoice read(const po::variables_map& vm) const;

 private:
  std::string default_preset_;
  std::string preset_;
  std::vector<std::string> pass_lists_;
};

}  // namespace jitscope::cli
