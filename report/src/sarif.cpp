#include "jitscope/report/sarif.h"

#include <nlohmann/json.hpp>

#include "jitscope/report/text_util.h"

namespace jitscope {

std::string renderSarif(const SarifLog& log) {
  using nlohmann::ordered_json;
  ordered_json rules = ordered_json::array();
  for (const auto& rule : log.rules) {
    ordered_json entry{{"id", rule.id}, {"shortDescription", {{"text", rule.description}}}};
    if (rule.default_level) entry["defaultConfiguration"] = {{"level", *rule.default_level}};
    rules.push_back(entry);
  }
  ordered_json results = ordered_json::array();
  for (const auto& result : log.results) {
    ordered_json physical{{"artifactLocation", {{"uri", sarifUri(result.file)}}}};
    if (result.line > 0) {
      ordered_json region{{"startLine", result.line}};
      if (result.column > 0) region["startColumn"] = result.column;
      physical["region"] = region;
    }
    ordered_json location{{"physicalLocation", physical}};
    if (result.logical) {
      location["logicalLocations"] = ordered_json::array(
          {{{"name", result.logical->first}, {"fullyQualifiedName", result.logical->second}}});
    }
    ordered_json entry{{"ruleId", result.rule},
                       {"level", result.level},
                       {"message", {{"text", result.message}}},
                       {"locations", ordered_json::array({location})}};
    if (result.properties.is_object()) entry["properties"] = result.properties;
    results.push_back(entry);
  }
  ordered_json run{{"tool", {{"driver", {{"name", "jitscope"},
                                         {"version", "0.1.0"},
                                         {"informationUri", "https://example.invalid/jitscope"},
                                         {"rules", rules}}}}}};
  if (!log.artifacts.empty()) {
    ordered_json artifacts = ordered_json::array();
    for (const auto& path : log.artifacts) artifacts.push_back({{"location", {{"uri", sarifUri(path)}}}});
    run["artifacts"] = artifacts;
  }
  run["results"] = results;
  if (log.properties.is_object() && !log.properties.empty()) run["properties"] = log.properties;
  ordered_json out{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                   {"version", "2.1.0"},
                   {"runs", ordered_json::array({run})}};
  return out.dump(2) + "\n";
}

}  // namespace jitscope
