#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "jitscope/report/audit_render.h"
#include "jitscope/report/json_util.h"
#include "jitscope/report/junit.h"
#include "jitscope/report/sarif.h"
#include "jitscope/report/text_util.h"

namespace jitscope {
namespace {

using nlohmann::ordered_json;

std::string levelOf(Severity severity) { return std::string(toString(severity)); }

}  // namespace

std::string renderAuditJson(const AuditReport& report) {
  ordered_json findings = ordered_json::array();
  for (const auto& f : report.findings) {
    findings.push_back({{"check", f.check},
                        {"severity", levelOf(f.severity)},
                        {"message", f.message},
                        {"location", locationJson(f.location)},
                        {"node", f.node.empty() ? ordered_json(nullptr) : ordered_json(f.node)},
                        {"function", f.function},
                        {"module", f.module_path},
                        {"notes", f.notes}});
  }
  ordered_json out{{"file", report.file},
                   {"provenance", std::string(toString(report.provenance))},
                   {"verdict", std::string(toString(report.verdict()))},
                   {"functions_analyzed", report.functions_analyzed},
                   {"probes_run", report.probes_run},
                   {"probe_inputs", report.probe_inputs.empty() ? ordered_json(nullptr)
                                                               : ordered_json(report.probe_inputs)},
                   {"findings", findings}};
  return out.dump(2) + "\n";
}

std::string renderAuditSarif(const AuditReport& report) {
  SarifLog log;
  for (const auto& check : allChecks()) log.rules.push_back({check.name, check.summary, levelOf(check.severity)});
  for (const auto& f : report.findings) {
    SarifResult result;
    result.rule = f.check;
    result.level = levelOf(f.severity);
    result.message = f.message;
    for (const auto& note : f.notes) result.message += "\n" + note;
    result.file = f.location.known() ? f.location.file : report.file;
    if (f.location.known()) {
      result.line = f.location.line;
      result.column = f.location.column;
    }
    if (!f.module_path.empty() || !f.function.empty()) {
      result.logical = {f.function.empty() ? "forward" : f.function,
                        f.module_path.empty() ? f.function : f.module_path + ":" + f.function};
    }
    log.results.push_back(std::move(result));
  }
  log.artifacts = {report.file};
  // SARIF's property bag: the verdict as the text and JSON show it.
  log.properties = {{"verdict", std::string(toString(report.verdict()))}};
  return renderSarif(log);
}

std::string renderAuditJunit(const AuditReport& report, Severity fail_on,
                             UnverifiedPolicy unverified) {
  JunitSuite suite;
  suite.name = report.file;
  suite.properties = {{"verdict", std::string(toString(report.verdict()))}};
  const bool unverified_fails =
      unverified == UnverifiedPolicy::kFail && report.verdict() == Verdict::kUnverified;
  for (const auto& check : allChecks()) {
    JunitCase test{"jitscope.audit", check.name, {}};
    if (unverified_fails && !atLeast(Severity::kNote, fail_on) &&
        check.id == (report.source_complete ? CheckId::kAuditProbeBudget : CheckId::kAuditSourceUnavailable)) {
      test.problems.push_back({JunitProblem::Kind::kFailure, "unverified",
                               report.source_complete
                                   ? "the probe budget ran out before every probe ran"
                                   : "part of the traced code could not be checked from its Python source",
                               report.file + ": verdict unverified, and --unverified fail was given"});
    }
    for (const auto& f : report.findings) {
      if (f.id != check.id || !atLeast(f.severity, fail_on)) continue;
      test.problems.push_back({JunitProblem::Kind::kFailure, levelOf(f.severity), f.message,
                               (f.location.known() ? f.location.str() : report.file) + ": " + f.message});
    }
    suite.cases.push_back(std::move(test));
  }
  return renderJunit({std::nullopt, {std::move(suite)}});
}

}  // namespace jitscope
