#include <fmt/format.h>
#include <fmt/ranges.h>

#include "jitscope/report/passes_render.h"

namespace jitscope {
namespace {

std::string needsText(const PassInfo& pass) {
  std::vector<std::string> parts;
  parts.emplace_back(pass.level == PassLevel::kModule ? "module" : "graph");
  if (has(pass.needs, PassNeeds::kEvalMode)) parts.emplace_back("eval");
  if (has(pass.needs, PassNeeds::kFrozen)) parts.emplace_back("frozen");
  return fmt::format("{}", fmt::join(parts, ","));
}

std::string signedCount(long change) { return change > 0 ? fmt::format("+{}", change) : fmt::format("{}", change); }

std::string percent(size_t before, size_t after) {
  if (before == 0) return "";
  const double change = 100.0 * (static_cast<double>(after) - static_cast<double>(before)) /
                        static_cast<double>(before);
  return fmt::format(" ({:+.0f}%)", change);
}

std::string describeOutputs(const OutputComparison& comparison) {
  std::vector<std::string> parts;
  for (const auto& out : comparison.outputs) {
    if (!out.structure_error.empty()) {
      parts.push_back(fmt::format("{}: {}", out.path, out.structure_error));
    } else if (!out.ok) {
      parts.push_back(fmt::format("{}: {} of {} elements beyond rtol {:g} atol {:g}, max |diff| {:.3g}", out.path,
                                  out.mismatched, out.total, out.tolerance.rtol, out.tolerance.atol,
                                  out.max_abs_diff));
    }
  }
  if (parts.empty()) {
    double worst = 0;
    for (const auto& out : comparison.outputs) worst = std::max(worst, out.max_abs_diff);
    return fmt::format("same within tolerance (max |diff| {:.3g})", worst);
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::string renderChecks(const OptSummary& summary) {
  const CheckedPipeline& c = summary.checked;
  if (*summary.check_mode == OutputCheck::kVerify) {
    const auto& last = c.checks.front();
    return fmt::format("verify on {}: {}: {}\n", c.inputs, c.ok() ? "ok" : "OUTPUTS DIFFER",
                       describeOutputs(last.comparison));
  }
  size_t width = 4;
  for (const auto& check : c.checks) width = std::max(width, check.pass.size());
  std::string out = fmt::format("bisect on {}:\n", c.inputs);
  for (const auto& check : c.checks) {
    out += fmt::format("  {:<{}}  {}\n", check.pass, width,
                       check.comparison.ok ? "same" : "DIFFERS: " + describeOutputs(check.comparison));
  }
  out += c.first_difference
             ? fmt::format("first pass that changes the outputs: {}\n", c.checks[*c.first_difference].pass)
             : "no pass changes the outputs beyond the tolerance\n";
  return out;
}

}  // namespace

std::string renderPassListText(const std::vector<PassInfo>& passes, const std::vector<Preset>& presets) {
  size_t width = 4;
  for (const auto& pass : passes) width = std::max(width, pass.name.size());
  std::string out = fmt::format("{:<{}}  {:<19}  {}\n", "pass", width, "acts on, needs", "description");
  for (const auto& pass : passes) {
    out += fmt::format("{:<{}}  {:<19}  {}\n", pass.name, width, needsText(pass), pass.description);
  }
  out += "\npresets (opt --preset NAME):\n";
  for (const auto& preset : presets) {
    out += fmt::format("  {}: {}\n    {}\n", preset.name, preset.description,
                       fmt::join(preset.passes, ","));
  }
  return out;
}

std::string renderOptText(const OptSummary& summary) {
  const PipelineReport& r = summary.report;
  std::string out = fmt::format("{}: {} on {}\n", summary.model, summary.pipeline,
                                fmt::join(r.methods, ", "));
  size_t width = 4;
  for (const auto& pass : r.passes) width = std::max(width, pass.pass.size());
  out += fmt::format("  {:<{}}  {:>9}  {:>15}  {}\n", "pass", width, "time ms", "nodes", "op kinds");
  for (const auto& pass : r.passes) {
    std::vector<std::string> kinds;
    for (const auto& kind : pass.appeared) kinds.push_back("+" + kind);
    for (const auto& kind : pass.vanished) kinds.push_back("-" + kind);
    const std::string nodes = fmt::format("{} -> {}", pass.nodes_before, pass.nodes_after);
    out += fmt::format("  {:<{}}  {:>9.2f}  {:>15}  {}\n", pass.pass, width, pass.seconds * 1e3, nodes,
                       !pass.changed          ? std::string("(unchanged)")
                       : !kinds.empty()        ? fmt::format("{}", fmt::join(kinds, " "))
                       : pass.count_changes.empty() ? std::string("(same ops, rewired)")
                                                    : std::string());
    if (!pass.count_changes.empty()) {
      std::vector<std::string> counts;
      for (const auto& [kind, change] : pass.count_changes) {
        counts.push_back(fmt::format("{} {}", kind, signedCount(change)));
      }
      out += fmt::format("  {:<{}}  {}\n", "", width + 28, fmt::join(counts, ", "));
    }
  }
  out += fmt::format("total: {} -> {} nodes{}, {} op kinds -> {}, passes {:.1f} ms\n", r.nodes_before,
                     r.nodes_after, percent(r.nodes_before, r.nodes_after), r.ops_before.size(),
                     r.ops_after.size(), r.seconds * 1e3);
  if (summary.check_mode) out += renderChecks(summary);
  if (!summary.output.empty()) out += fmt::format("wrote {}\n", summary.output);
  return out;
}

}  // namespace jitscope
