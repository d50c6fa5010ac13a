// What `jitscope ci` found for each model, as plain data. A child process
// checks one model and prints its CiModelResult as JSON; the parent reads
// them back and hands the list to the renderers (report/ci_render.h).
#pragma once

#include <string>
#include <vector>

namespace jitscope {

enum class CiStatus { kPass, kFail, kError };

/// "pass", "fail", "error".
const char* toString(CiStatus status);

/// One result a code-scanning tool can place: an audit finding in the user's
/// Python source, or a diff/ops failure placed on the model file.
struct CiIssue {
  std::string rule;   ///< "trace-data-dependent-branch", "diff-graph", "ops-not-allowed"
  std::string level;  ///< "error", "warning", "note"
  std::string message;
  std::string file;   ///< as recorded; empty when unknown
  size_t line = 0;
  size_t column = 0;
};

struct CiStep {
  std::string name;  ///< "audit", "diff", "ops"
  CiStatus status = CiStatus::kPass;
  std::string summary;               ///< one line
  std::vector<std::string> details;  ///< lines a reviewer reads under a failure
  std::vector<CiIssue> issues;
};

struct CiModelResult {
  std::string name;
  std::string path;
  CiStatus status = CiStatus::kPass;  ///< the worst of its steps, or kError
  std::string error;                  ///< why the model could not be checked
  double seconds = 0;
  std::vector<CiStep> steps;
  std::string report;  ///< the model's HTML page (ci --report-dir); empty when none
};

std::string ciResultToJson(const CiModelResult& result);
/// Throws std::runtime_error when `text` is not ciResultToJson's output.
CiModelResult ciResultFromJson(const std::string& text);

/// The exit code of a whole run: 3 when a model could not be checked, else 1
/// when a step failed, else 0.
int ciExitCode(const std::vector<CiModelResult>& results);

}  // namespace jitscope
