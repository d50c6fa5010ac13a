#include <nlohmann/json.hpp>

#include "jitscope/report/passes_render.h"

namespace jitscope {
namespace {

using nlohmann::ordered_json;

ordered_json needsJson(PassNeeds needs) {
  ordered_json list = ordered_json::array();
  if (has(needs, PassNeeds::kEvalMode)) list.push_back("eval");
  if (has(needs, PassNeeds::kFrozen)) list.push_back("frozen");
  return list;
}

ordered_json comparisonJson(const OutputComparison& comparison) {
  ordered_json outputs = ordered_json::array();
  for (const auto& out : comparison.outputs) {
    outputs.push_back({{"path", out.path},
                       {"ok", out.ok},
                       {"dtype", out.dtype},
                       {"shape", out.shape},
                       {"rtol", out.tolerance.rtol},
                       {"atol", out.tolerance.atol},
                       {"max_abs_diff", out.max_abs_diff},
                       {"max_rel_diff", out.max_rel_diff},
                       {"mismatched", out.mismatched},
                       {"total", out.total},
                       {"structure_error", out.structure_error.empty() ? ordered_json(nullptr)
                                                                       : ordered_json(out.structure_error)}});
  }
  return ordered_json{{"ok", comparison.ok}, {"outputs", outputs}};
}

ordered_json checksJson(const OptSummary& summary) {
  const CheckedPipeline& c = summary.checked;
  ordered_json checks = ordered_json::array();
  for (const auto& check : c.checks) {
    checks.push_back({{"after", check.pass}, {"comparison", comparisonJson(check.comparison)}});
  }
  return ordered_json{
      {"mode", *summary.check_mode == OutputCheck::kVerify ? "verify" : "bisect"},
      {"inputs", c.inputs},
      {"ok", c.ok()},
      {"first_difference",
       c.first_difference ? ordered_json(c.checks[*c.first_difference].pass) : ordered_json(nullptr)},
      {"checks", checks}};
}

}  // namespace

std::string renderPassListJson(const std::vector<PassInfo>& passes, const std::vector<Preset>& presets) {
  ordered_json out;
  ordered_json list = ordered_json::array();
  for (const auto& pass : passes) {
    list.push_back({{"name", pass.name},
                    {"description", pass.description},
                    {"level", pass.level == PassLevel::kModule ? "module" : "graph"},
                    {"needs", needsJson(pass.needs)},
                    {"provides", needsJson(pass.provides)}});
  }
  out["passes"] = list;
  ordered_json preset_list = ordered_json::array();
  for (const auto& preset : presets) {
    preset_list.push_back(
        {{"name", preset.name}, {"description", preset.description}, {"passes", preset.passes}});
  }
  out["presets"] = preset_list;
  return out.dump(2) + "\n";
}

std::string renderOptJson(const OptSummary& summary) {
  const PipelineReport& r = summary.report;
  ordered_json out;
  out["model"] = summary.model;
  out["output"] = summary.output.empty() ? ordered_json(nullptr) : ordered_json(summary.output);
  out["pipeline"] = summary.pipeline;
  out["methods"] = r.methods;
  out["nodes_before"] = r.nodes_before;
  out["nodes_after"] = r.nodes_after;
  out["ops_before"] = r.ops_before;
  out["ops_after"] = r.ops_after;
  out["seconds"] = r.seconds;
  ordered_json passes = ordered_json::array();
  for (const auto& pass : r.passes) {
    passes.push_back({{"name", pass.pass},
                      {"seconds", pass.seconds},
                      {"changed", pass.changed},
                      {"nodes_before", pass.nodes_before},
                      {"nodes_after", pass.nodes_after},
                      {"appeared", pass.appeared},
                      {"vanished", pass.vanished},
                      {"count_changes", pass.count_changes}});
  }
  out["passes"] = passes;
  out["check"] = summary.check_mode ? checksJson(summary) : ordered_json(nullptr);
  return out.dump(2) + "\n";
}

}  // namespace jitscope
