#include "jitscope/report/ci_render.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <map>

#include "jitscope/report/junit.h"
#include "jitscope/report/sarif.h"
#include "jitscope/report/text_util.h"

namespace jitscope {
namespace {

using nlohmann::ordered_json;

std::string sarifLevel(const std::string& level) {
  return level == "error" || level == "warning" || level == "note" ? level : "warning";
}

// The summary line's counts: models that failed, models that could not be checked.
struct Tally {
  size_t failed = 0, errors = 0;
};

Tally tally(const std::vector<CiModelResult>& results) {
  Tally t;
  for (const auto& r : results) {
    t.failed += r.status == CiStatus::kFail;
    t.errors += r.status == CiStatus::kError;
  }
  return t;
}

}  // namespace

std::string renderCiText(const std::vector<CiModelResult>& results, double seconds, unsigned jobs) {
  size_t width = 5;
  for (const auto& r : results) width = std::max(width, r.name.size());
  std::string out;
  for (const auto& r : results) {
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
  const Tally counts = tally(results);
  out += fmt::format("jitscope ci: {} model{}, {} failed, {} could not be checked ({:.1f} s, {} job{})\n",
                     results.size(), results.size() == 1 ? "" : "s", counts.failed, counts.errors, seconds,
                     jobs, jobs == 1 ? "" : "s");
  return out;
}

std::string renderCiJunit(const std::vector<CiModelResult>& results) {
  JunitDocument document{"jitscope ci", {}};
  for (const auto& r : results) {
    JunitSuite suite;
    suite.name = r.name;
    suite.seconds = r.seconds;
    const std::string classname = "jitscope.ci." + r.name;
    if (r.status == CiStatus::kError) {
      suite.cases.push_back({classname, "load", {{JunitProblem::Kind::kError, "", r.error, r.error}}});
    }
    for (const auto& step : r.steps) {
      JunitCase test{classname, step.name, {}};
      if (step.status != CiStatus::kPass) {
        std::string body;
        for (const auto& line : step.details) body += line + "\n";
        test.problems.push_back({JunitProblem::Kind::kFailure, "", step.summary, body});
      }
      suite.cases.push_back(std::move(test));
    }
    document.suites.push_back(std::move(suite));
  }
  return renderJunit(document);
}

std::string renderCiSarif(const std::vector<CiModelResult>& results) {
  std::map<std::string, std::string> rules;  // id -> description
  SarifLog log;
  for (const auto& r : results) {
    std::vector<CiIssue> issues;
    for (const auto& step : r.steps) issues.insert(issues.end(), step.issues.begin(), step.issues.end());
    if (r.status == CiStatus::kError) issues.push_back({"model-unreadable", "error", r.error, r.path, 0, 0});
    for (const auto& issue : issues) {
      rules.emplace(issue.rule, issue.rule.rfind("diff-", 0) == 0     ? "the export changed against its snapshot"
                                : issue.rule == "ops-not-allowed"    ? "operator outside the target runtime's allow-list"
                                : issue.rule == "model-unreadable"   ? "the model could not be checked"
                                                                     : "behaviour lost by tracing (jitscope audit)");
      SarifResult result;
      result.rule = issue.rule;
      result.level = sarifLevel(issue.level);
      result.message = fmt::format("{} ({}): {}", r.name, r.path, issue.message);
      result.file = issue.file.empty() ? r.path : issue.file;
      result.line = issue.line;
      result.column = issue.column;
      log.results.push_back(std::move(result));
    }
  }
  for (const auto& [id, text] : rules) log.rules.push_back({id, text, std::nullopt});
  return renderSarif(log);
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
  for (const auto& r : results) {
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
  const Tally counts = tally(results);
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
                     xmlEscape(config), results.size(), counts.failed, counts.errors, rows);
}

}  // namespace jitscope
