#include "jitscope/report/diff_render.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

namespace jitscope {

std::string renderDiffText(const SnapshotDiff& diff) {
  std::string out;
  for (const Change& change : diff.changes) {
    out += fmt::format("{}: {}: {}\n", toString(change.kind), change.subject, change.message);
    for (const auto& line : change.details) out += "  " + line + "\n";
  }
  for (const auto& note : diff.notes) out += "note: " + note + "\n";
  out += fmt::format("{} -> {}: {}\n", diff.old_name, diff.new_name,
                     diff.same() ? "same behaviour"
                                 : fmt::format("{} change{}", diff.changes.size(), diff.changes.size() == 1 ? "" : "s"));
  return out;
}

std::string renderDiffJson(const SnapshotDiff& diff) {
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (const Change& change : diff.changes) {
    changes.push_back({{"kind", toString(change.kind)},
                       {"subject", change.subject},
                       {"message", change.message},
                       {"details", change.details}});
  }
  nlohmann::ordered_json out{{"old", diff.old_name},
                             {"new", diff.new_name},
                             {"same", diff.same()},
                             {"changes", changes},
                             {"notes", diff.notes}};
  return out.dump(2) + "\n";
}

}  // namespace jitscope
