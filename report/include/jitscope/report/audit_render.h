// Renderers for `jitscope audit`: compiler-style text, JSON, SARIF 2.1.0
// (for code-scanning annotations on the Python line), JUnit XML.
#pragma once

#include <string>

#include "jitscope/validators/finding.h"

namespace jitscope {

/// `color` adds ANSI colours (only on a terminal).
std::string renderAuditText(const AuditReport& report, bool color);
std::string renderAuditJson(const AuditReport& report);
std::string renderAuditSarif(const AuditReport& report);
/// One testcase per check; findings at or above `fail_on` are failures, and
/// so is an unverified verdict under UnverifiedPolicy::kFail (on the
/// audit-source-unavailable test case). The verdict is a suite property.
std::string renderAuditJunit(const AuditReport& report, Severity fail_on,
                             UnverifiedPolicy unverified = UnverifiedPolicy::kPass);

}  // namespace jitscope
