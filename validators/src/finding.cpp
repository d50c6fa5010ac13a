#include "jitscope/validators/finding.h"

namespace jitscope {

const std::vector<CheckInfo>& allChecks() {
  static const std::vector<CheckInfo> checks = {
#define JITSCOPE_CHECK(name, severity, summary) {name, Severity::severity, summary},
#include "jitscope/validators/checks.def"
#undef JITSCOPE_CHECK
  };
  return checks;
}

const CheckInfo* findCheck(const std::string& name) {
  for (const auto& check : allChecks()) {
    if (name == check.name) return &check;
  }
  return nullptr;
}

bool atLeast(Severity severity, Severity threshold) {
  return static_cast<int>(severity) >= static_cast<int>(threshold);
}

bool AuditReport::lossy() const { return reaches(Severity::kWarning); }

std::string_view toString(Verdict verdict) {
  switch (verdict) {
    case Verdict::kClean: return "clean";
    case Verdict::kLossy: return "lossy";
    case Verdict::kUnverified: return "unverified";
  }
  return "clean";
}

Verdict AuditReport::verdict() const {
  if (lossy()) return Verdict::kLossy;
  return source_complete ? Verdict::kClean : Verdict::kUnverified;
}

bool AuditReport::fails(Severity fail_on, UnverifiedPolicy unverified) const {
  return reaches(fail_on) ||
         (unverified == UnverifiedPolicy::kFail && verdict() == Verdict::kUnverified);
}

bool AuditReport::reaches(Severity threshold) const {
  for (const auto& finding : findings) {
    if (atLeast(finding.severity, threshold)) return true;
  }
  return false;
}

}  // namespace jitscope
