#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "jitscope/report/audit_render.h"
#include "jitscope/report/json_util.h"
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
  ordered_json rules = ordered_json::array();
  for (const auto& check : allChecks()) {
    rules.push_back({{"id", check.name},
                     {"shortDescription", {{"text", check.summary}}},
                     {"defaultConfiguration", {{"level", levelOf(check.severity)}}}});
  }
  ordered_json results = ordered_json::array();
  for (const auto& f : report.findings) {
    std::string text = f.message;
    for (const auto& note : f.notes) text += "\n" + note;
    ordered_json result{{"ruleId", f.check}, {"level", levelOf(f.severity)}, {"message", {{"text", text}}}};
    ordered_json location;
    if (f.location.known()) {
      ordered_json region{{"startLine", f.location.line}};
      if (f.location.column > 0) region["startColumn"] = f.location.column;
      location["physicalLocation"] = {{"artifactLocation", {{"uri", sarifUri(f.location.file)}}},
                                      {"region", region}};
    } else {
      location["physicalLocation"] = {{"artifactLocation", {{"uri", sarifUri(report.file)}}}};
    }
    if (!f.module_path.empty() || !f.function.empty()) {
      location["logicalLocations"] = ordered_json::array(
          {{{"name", f.function.empty() ? "forward" : f.function},
            {"fullyQualifiedName", f.module_path.empty() ? f.function : f.module_path + ":" + f.function}}});
    }
    result["locations"] = ordered_json::array({location});
    results.push_back(result);
  }
  ordered_json run{{"tool", {{"driver", {{"name", "jitscope"},
                                         {"version", "0.1.0"},
                                         {"informationUri", "https://example.invalid/jitscope"},
                                         {"rules", rules}}}}},
                   {"artifacts", ordered_json::array({{{"location", {{"uri", sarifUri(report.file)}}}}})},
                   {"results", results},
                   // SARIF's property bag: the verdict as the text and JSON show it.
                   {"properties", {{"verdict", std::string(toString(report.verdict()))}}}};
  ordered_json out{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                   {"version", "2.1.0"},
                   {"runs", ordered_json::array({run})}};
  return out.dump(2) + "\n";
}

std::string renderAuditJunit(const AuditReport& report, Severity fail_on,
                             UnverifiedPolicy unverified) {
  std::string cases;
  size_t failures = 0;
  const bool unverified_fails =
      unverified == UnverifiedPolicy::kFail && report.verdict() == Verdict::kUnverified;
  for (const auto& check : allChecks()) {
    std::string body;
    if (unverified_fails && !atLeast(Severity::kNote, fail_on) &&
        check.id == CheckId::kAuditSourceUnavailable) {
      ++failures;
      body += fmt::format("      <failure type=\"unverified\" message=\"{}\">{}: {}</failure>\n",
                          "part of the traced code could not be checked from its Python source",
                          xmlEscape(report.file),
                          "verdict unverified, and --unverified fail was given");
    }
    for (const auto& f : report.findings) {
      if (f.check != check.name || !atLeast(f.severity, fail_on)) continue;
      ++failures;
      body += fmt::format("      <failure type=\"{}\" message=\"{}\">{}: {}</failure>\n",
                          levelOf(f.severity), xmlEscape(f.message),
                          xmlEscape(f.location.known() ? f.location.str() : report.file),
                          xmlEscape(f.message));
    }
    cases += fmt::format("    <testcase classname=\"jitscope.audit\" name=\"{}\"{}\n", check.name,
                         body.empty() ? "/>" : ">\n" + body + "    </testcase>");
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n  <testsuite name=\"{}\" "
      "tests=\"{}\" failures=\"{}\" errors=\"0\">\n    <properties>\n      <property "
      "name=\"verdict\" value=\"{}\"/>\n    </properties>\n{}  </testsuite>\n</testsuites>\n",
      xmlEscape(report.file), allChecks().size(), failures, toString(report.verdict()), cases);
}

}  // namespace jitscope
