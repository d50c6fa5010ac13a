#include "jitscope/validators/finding.h"

namespace jitscope {

const std::vector<CheckInfo>& allChecks() {
  static const std::vector<CheckInfo> checks = {
#define JITSCOPE_CHECK(id, name, severity, priority, summary) \
  {CheckId::id, name, Severity::severity, priority, summary},
#include "jitscope/validators/checks.def"
#undef JITSCOPE_CHECK
  };
  return checks;
}

// The rows are in enumerator order, so an id is its row's index.
const CheckInfo& checkInfo(CheckId id) { return allChecks()[static_cast<size_t>(id)]; }

const CheckInfo* findCheck(std::string_view name) {
  for (const auto& check : allChecks()) {
    if (name == check.name) return &check;
  }
  return nullptr;
}

Finding::Finding(CheckId id, std::string message)
    : id(id), check(checkInfo(id).name), severity(checkInfo(id).severity), message(std::move(message)) {}

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
  return source_complete && probes_complete ? Verdict::kClean : Verdict::kUnverified;
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
