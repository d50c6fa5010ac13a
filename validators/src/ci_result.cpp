#include "jitscope/validators/ci_result.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

#include "jitscope/core/exit_code.h"

namespace jitscope {
namespace {

using nlohmann::ordered_json;

CiStatus statusFrom(const std::string& name) {
  if (name == "pass") return CiStatus::kPass;
  if (name == "fail") return CiStatus::kFail;
  if (name == "error") return CiStatus::kError;
  throw std::runtime_error("unknown status '" + name + "'");
}

}  // namespace

const char* toString(CiStatus status) {
  switch (status) {
    case CiStatus::kPass: return "pass";
    case CiStatus::kFail: return "fail";
    case CiStatus::kError: return "error";
  }
  return "?";
}

std::string ciResultToJson(const CiModelResult& result) {
  ordered_json steps = ordered_json::array();
  for (const auto& step : result.steps) {
    ordered_json issues = ordered_json::array();
    for (const auto& issue : step.issues) {
      issues.push_back({{"rule", issue.rule},
                        {"level", issue.level},
                        {"message", issue.message},
                        {"file", issue.file},
                        {"line", issue.line},
                        {"column", issue.column}});
    }
    steps.push_back({{"name", step.name},
                     {"status", toString(step.status)},
                     {"summary", step.summary},
                     {"details", step.details},
                     {"issues", issues}});
  }
  ordered_json out{{"name", result.name},
                   {"path", result.path},
                   {"status", toString(result.status)},
                   {"error", result.error},
                   {"seconds", result.seconds},
                   {"steps", steps},
                   {"report", result.report}};
  return out.dump(2) + "\n";
}

CiModelResult ciResultFromJson(const std::string& text) {
  try {
    const ordered_json j = ordered_json::parse(text);
    CiModelResult result;
    result.name = j.at("name").get<std::string>();
    result.path = j.at("path").get<std::string>();
    result.status = statusFrom(j.at("status").get<std::string>());
    result.error = j.at("error").get<std::string>();
    result.seconds = j.at("seconds").get<double>();
    for (const auto& s : j.at("steps")) {
      CiStep step;
      step.name = s.at("name").get<std::string>();
      step.status = statusFrom(s.at("status").get<std::string>());
      step.summary = s.at("summary").get<std::string>();
      step.details = s.at("details").get<std::vector<std::string>>();
      for (const auto& i : s.at("issues")) {
        step.issues.push_back({i.at("rule").get<std::string>(), i.at("level").get<std::string>(),
                               i.at("message").get<std::string>(), i.at("file").get<std::string>(),
                               i.at("line").get<size_t>(), i.at("column").get<size_t>()});
      }
      result.steps.push_back(std::move(step));
    }
    result.report = j.value("report", "");
    return result;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("unreadable result: ") + e.what());
  }
}

int ciExitCode(const std::vector<CiModelResult>& results) {
  bool failed = false;
  for (const auto& r : results) {
    if (r.status == CiStatus::kError) return toInt(ExitCode::kBadInput);
    failed |= r.status == CiStatus::kFail;
  }
  return toInt(failed ? ExitCode::kFindings : ExitCode::kOk);
}

}  // namespace jitscope
