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

bool AuditReport::reaches(Severity threshold) const {
  for (const auto& finding : findings) {
    if (atLeast(finding.severity, threshold)) return true;
  }
  return false;
}

}  // namespace jitscope
