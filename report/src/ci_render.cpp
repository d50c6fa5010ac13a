#include "jitscope/report/ci_render.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <map>

#include "jitscope/report/text_util.h"

namespace jitscope {
namespace {

using nlohmann::ordered_json;

std::string sarifLevel(const std::string& level) {
  return level == "error" || level == "warning" || level == "note" ? level : "warning";
}

}  // namespace

std::string renderCiText(const std::vector<CiModelResult>& results, double seconds, unsigned jobs) {
  size_t width = 5;
  for (const auto& r : results) width = std::max(width, r.name.size());
  std::string out;
  size_t failed = 0, errors = 0;
  for (const auto& r : results) {
    failed += r.status == CiStatus::kFail;
    errors += r.status == CiStatus::kError;
    if (r.status == CiStatus::kError) {
      out += fmt::format("{:<{}}  {:<6} ERROR  {}\n", r.name, width, "-", r.error);
      continue;
    }
    for (const auto& step : r.steps) {
      out += fmt::format("{:<{}}  {:<6} {:<5}  {}\n", r.name, width, step.name,
                         step.status == CiStatus::kPass ? "pass" : "FAIL", step.summary);
      if (step.status == CiStatus::kPass) continue;
      for (const auto& line : step.details) out += fmt::format("{:<{}}    {}\n", "", width, line);
    }
  }
  out += fmt::format("jitscope ci: {} model{}, {} failed, {} could not be checked ({:.1f} s, {} job{})\n",
                     results.size(), results.size() == 1 ? "" : "s", failed, errors, seconds, jobs,
                     jobs == 1 ? "" : "s");
  return out;
}

std::string renderCiJunit(const std::vector<CiModelResult>& results) {
  std::string suites;
  size_t total_tests = 0, total_failures = 0, total_errors = 0;
  for (const auto& r : results) {
    std::string cases;
    size_t tests = 0, failures = 0, errors = 0;
    if (r.status == CiStatus::kError) {
      ++tests;
      ++errors;
      cases += fmt::format("    <testcase classname=\"jitscope.ci.{0}\" name=\"load\">\n"
                           "      <error message=\"{1}\">{1}</error>\n    </testcase>\n",
                           xmlEscape(r.name), xmlEscape(r.error));
    }
    for (const auto& step : r.steps) {
      ++tests;
      cases += fmt::format("    <testcase classname=\"jitscope.ci.{}\" name=\"{}\"", xmlEscape(r.name), step.name);
      if (step.status == CiStatus::kPass) {
        cases += "/>\n";
        continue;
      }
      ++failures;
      std::string body;
      for (const auto& line : step.details) body += xmlEscape(line) + "\n";
      cases += fmt::format(">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n", xmlEscape(step.summary), body);
    }
    total_tests += tests;
    total_failures += failures;
    total_errors += errors;
    suites += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3f}\">\n{}  </testsuite>\n",
                          xmlEscape(r.name), tests, failures, errors, r.seconds, cases);
  }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites name=\"jitscope ci\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n{}</testsuites>\n",
                     total_tests, total_failures, total_errors, suites);
}

std::string renderCiSarif(const std::vector<CiModelResult>& results) {
  std::map<std::string, std::string> rules;  // id -> description
  ordered_json out_results = ordered_json::array();
  for (const auto& r : results) {
    std::vector<CiIssue> issues;
    for (const auto& step : r.steps) issues.insert(issues.end(), step.issues.begin(), step.issues.end());
    if (r.status == CiStatus::kError) issues.push_back({"model-unreadable", "error", r.error, r.path, 0, 0});
    for (const auto& issue : issues) {
      rules.emplace(issue.rule, issue.rule.rfind("diff-", 0) == 0     ? "the export changed against its snapshot"
                                : issue.rule == "ops-not-allowed"    ? "operator outside the target runtime's allow-list"
                                : issue.rule == "model-unreadable"   ? "the model could not be checked"
                                                                     : "behaviour lost by tracing (jitscope audit)");
      ordered_json physical{{"artifactLocation", {{"uri", sarifUri(issue.file.empty() ? r.path : issue.file)}}}};
      if (issue.line > 0) {
        ordered_json region{{"startLine", issue.line}};
        if (issue.column > 0) region["startColumn"] = issue.column;
        physical["region"] = region;
      }
      out_results.push_back({{"ruleId", issue.rule},
                             {"level", sarifLevel(issue.level)},
                             {"message", {{"text", fmt::format("{} ({}): {}", r.name, r.path, issue.message)}}},
                             {"locations", ordered_json::array({{{"physicalLocation", physical}}})}});
    }
  }
  ordered_json rule_list = ordered_json::array();
  for (const auto& [id, text] : rules) rule_list.push_back({{"id", id}, {"shortDescription", {{"text", text}}}});
  ordered_json run{{"tool", {{"driver", {{"name", "jitscope"},
                                         {"version", "0.1.0"},
                                         {"informationUri", "https://example.invalid/jitscope"},
                                         {"rules", rule_list}}}}},
                   {"results", out_results}};
  ordered_json out{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                   {"version", "2.1.0"},
                   {"runs", ordered_json::array({run})}};
  return out.dump(2) + "\n";
}

std::string renderCiJson(const std::vector<CiModelResult>& results) {
  ordered_json models = ordered_json::array();
  for (const auto& r : results) models.push_back(ordered_json::parse(ciResultToJson(r)));
  const int code = ciExitCode(results);
  ordered_json out{{"status", code == 0 ? "pass" : code == 1 ? "fail" : "error"}, {"exit_code", code}, {"models", models}};
  return out.dump(2) + "\n";
}

std::string renderCiHtml(const std::vector<CiModelResult>& results, const std::string& config) {
  std::string rows;
  size_t failed = 0, errors = 0;
  for (const auto& r : results) {
    failed += r.status == CiStatus::kFail;
    errors += r.status == CiStatus::kError;
    if (r.status == CiStatus::kError) {
      rows += fmt::format("<tr class=\"error\"><td>{}</td><td>-</td><td>error</td><td>{}</td></tr>\n",
                          xmlEscape(r.name), xmlEscape(r.error));
      continue;
    }
    for (const auto& step : r.steps) {
      std::string details;
      if (!step.details.empty()) {
        details = "<details" + std::string(step.status == CiStatus::kPass ? "" : " open") + "><summary>details</summary><pre>";
        for (const auto& line : step.details) details += xmlEscape(line) + "\n";
        details += "</pre></details>";
      }
      const std::string name = r.report.empty() ? xmlEscape(r.name)
                                                : fmt::format("<a href=\"{}\">{}</a>", xmlEscape(r.report), xmlEscape(r.name));
      rows += fmt::format("<tr class=\"{0}\"><td>{1}</td><td>{2}</td><td>{0}</td><td>{3}{4}</td></tr>\n",
                          toString(step.status), name, step.name, xmlEscape(step.summary), details);
    }
  }
  return fmt::format(R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>jitscope ci: {0}</title>
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #1f2328; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #d0d7de; padding: .4em .6em; text-align: left; vertical-align: top; }}
tr.pass td:nth-child(3) {{ color: #1a7f37; font-weight: 600; }}
tr.fail td:nth-child(3), tr.error td:nth-child(3) {{ color: #cf222e; font-weight: 600; }}
pre {{ background: #f6f8fa; padding: .6em; white-space: pre-wrap; overflow-wrap: anywhere; }}
.summary {{ font-size: 1.1em; margin-bottom: 1em; }}
</style></head><body>
<h1>jitscope ci</h1>
<p class="summary">{0}: {1} models, {2} failed, {3} could not be checked</p>
<table><thead><tr><th>model</th><th>check</th><th>status</th><th>result</th></tr></thead><tbody>
{4}</tbody></table></body></html>
)",
                     xmlEscape(config), results.size(), failed, errors, rows);
}

}  // namespace jitscope
