#include "jitscope/report/audit_highlights.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "jitscope/core/errors.h"

namespace jitscope {

std::vector<HighlightSpot> readAuditHighlights(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open the audit report");
  const auto hint = "expected the JSON of `jitscope audit MODEL --format json`";
  nlohmann::json report;
  try {
    report = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    throw InputError(path, std::string("not JSON; ") + hint);
  }
  if (!report.is_object() || !report.contains("findings") || !report["findings"].is_array()) {
    throw InputError(path, std::string("has no \"findings\" list; ") + hint);
  }
  std::vector<HighlightSpot> spots;
  for (const auto& finding : report["findings"]) {
    const auto& location = finding.value("location", nlohmann::json());
    if (!location.is_object() || !location.value("line", nlohmann::json()).is_number()) continue;
    HighlightSpot spot;
    spot.file = location.value("file", "");
    spot.line = location.value("line", size_t{0});
    spot.label = finding.value("check", "");
    spot.message = finding.value("message", "");
    if (finding.contains("module") && finding["module"].is_string()) spot.module = finding["module"];
    if (!spot.file.empty() && spot.line > 0) spots.push_back(std::move(spot));
  }
  return spots;
}

}  // namespace jitscope
