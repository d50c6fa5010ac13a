// The one SARIF 2.1.0 writer: audit and ci list their rules and results, and
// this writes the log that code-scanning services read (one run, tool
// "jitscope"). Paths become artifact URIs here (sarifUri).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace jitscope {

struct SarifRule {
  std::string id;
  std::string description;                  ///< shortDescription.text
  std::optional<std::string> default_level;  ///< defaultConfiguration.level, when the rule has one
};

struct SarifResult {
  std::string rule;
  std::string level;  ///< "error", "warning" or "note"
  std::string message;
  std::string file;     ///< a path; the physical location's artifact
  size_t line = 0;      ///< 0: no region
  size_t column = 0;    ///< 0: no startColumn
  /// A logical location (name, fully qualified name), when there is one.
  std::optional<std::pair<std::string, std::string>> logical;
  nlohmann::ordered_json properties;  ///< the result's property bag, when an object
};

struct SarifLog {
  std::vector<SarifRule> rules;
  std::vector<SarifResult> results;
  std::vector<std::string> artifacts;  ///< paths; an "artifacts" list when any
  nlohmann::ordered_json properties;  ///< the run's property bag, when a non-empty object
};

std::string renderSarif(const SarifLog& log);

}  // namespace jitscope
