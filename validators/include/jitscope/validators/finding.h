// What the audit returns: plain data that the renderers in report/ turn into
// text, JSON, SARIF or JUnit.
#pragma once

#include <string>
#include <vector>

#include "jitscope/core/diagnostics.h"
#include "jitscope/inspector/provenance.h"
#include "jitscope/inspector/source_location.h"

namespace jitscope {

struct CheckInfo {
  const char* name;
  Severity severity;
  const char* summary;
};

/// Every check, in checks.def order.
const std::vector<CheckInfo>& allChecks();
const CheckInfo* findCheck(const std::string& name);

struct Finding {
  std::string check;  ///< a name from checks.def
  Severity severity = Severity::kWarning;
  std::string message;
  SourceLocation location;  ///< in the user's Python source; may be unknown
  std::string function;     ///< "SumSignGate.forward"
  std::string module_path;  ///< submodule the code ran in, "" for the root
  std::string node;         ///< IR evidence: one node's line, when there is one
  std::string source_line;  ///< the text of location.line, for excerpts
  std::vector<std::string> notes;
};

struct AuditReport {
  std::string file;
  Provenance provenance = Provenance::kUnknown;
  std::vector<Finding> findings;  ///< sorted by file, line, check
  size_t functions_analyzed = 0;
  size_t probes_run = 0;

  /// True when any finding is a warning or an error.
  bool lossy() const;
  /// True when any finding is at or above `threshold`.
  bool reaches(Severity threshold) const;
};

/// "note" < "warning" < "error".
bool atLeast(Severity severity, Severity threshold);

}  // namespace jitscope
