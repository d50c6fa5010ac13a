// What the audit returns: plain data that the renderers in report/ turn into
// text, JSON, SARIF or JUnit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "jitscope/core/diagnostics.h"
#include "jitscope/inspector/provenance.h"
#include "jitscope/inspector/source_location.h"

namespace jitscope {

/// The audit's checks, one enumerator per row of checks.def.
enum class CheckId {
#define JITSCOPE_CHECK(id, name, severity, priority, summary) id,
#include "jitscope/validators/checks.def"
#undef JITSCOPE_CHECK
};

struct CheckInfo {
  CheckId id;
  const char* name;   ///< "trace-data-dependent-branch": stable, user-facing
  Severity severity;  ///< the default severity of its findings
  int priority;       ///< on a shared source line, the lowest is kept
  const char* summary;
};

/// Every check, in checks.def order.
const std::vector<CheckInfo>& allChecks();
const CheckInfo& checkInfo(CheckId id);
/// The row named `name`, or nullptr when no check has that name.
const CheckInfo* findCheck(std::string_view name);

struct Finding {
  /// The only way to make a finding: its check, name and default severity
  /// come from the check's row.
  Finding(CheckId id, std::string message);

  CheckId id;
  std::string check;  ///< checkInfo(id).name, for the renderers
  Severity severity;  ///< the row's default, lowered or raised where the evidence says
  std::string message;
  SourceLocation location;  ///< in the user's Python source; may be unknown
  std::string function;     ///< "SumSignGate.forward"
  std::string module_path;  ///< submodule the code ran in, "" for the root
  std::string node;         ///< IR evidence: one node's line, when there is one
  std::string source_line;  ///< the text of location.line, for excerpts
  std::vector<std::string> notes;
};

/// What the audit concludes about a model as a whole.
///  - lossy: some finding is a warning or an error;
///  - unverified: no such finding, but part of the traced code could not be
///    checked (its Python source was not found, was not to be read under
///    --no-source, or did not parse), or --probe-budget stopped the probes
///    before all ran, so "clean" would only mean "not looked at";
///  - clean: everything traced was checked and nothing was lost.
enum class Verdict { kClean, kLossy, kUnverified };

/// "clean", "lossy" or "unverified".
std::string_view toString(Verdict verdict);

/// What an `unverified` verdict does to the exit status (--unverified).
enum class UnverifiedPolicy { kPass, kFail };

struct AuditReport {
  std::string file;
  Provenance provenance = Provenance::kUnknown;
  std::vector<Finding> findings;  ///< sorted by file, line, check
  size_t functions_analyzed = 0;
  size_t probes_run = 0;
  /// Where the probe inputs came from ("--inputs", "the archive's stored
  /// example inputs", "the traced graph's input types", ...); empty when no
  /// probe ran.
  std::string probe_inputs;
  /// False when some traced code could not be checked from its Python
  /// source (an `audit-source-unavailable` finding was made for it).
  bool source_complete = true;
  /// False when --probe-budget stopped the probes before all ran (an
  /// `audit-probe-budget` note lists those not run).
  bool probes_complete = true;

  /// True when any finding is a warning or an error.
  bool lossy() const;
  Verdict verdict() const;
  /// True when any finding is at or above `threshold`.
  bool reaches(Severity threshold) const;
  /// Whether the run fails (exit 1): a finding at or above `fail_on`, or an
  /// unverified verdict under UnverifiedPolicy::kFail.
  bool fails(Severity fail_on, UnverifiedPolicy unverified) const;
};

/// "note" < "warning" < "error".
bool atLeast(Severity severity, Severity threshold);

}  // namespace jitscope
