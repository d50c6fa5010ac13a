#include <fmt/format.h>
#include <fmt/ranges.h>


#include "jitscope/report/check_render.h"
#include "jitscope/report/text_util.h"

namespace jitscope {
namespace {

std::string percent(int64_t part, int64_t whole) {
  if (whole == 0) return "0%";
  const double p = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  return p > 0 && p < 0.01 ? "<0.01%" : fmt::format("{:.3g}%", p);
}

}  // namespace

std::string renderCheckText(const CheckReport& report) {
  std::string out = fmt::format("actual:   {}\nexpected: {}\n", report.actual, report.expected);
  size_t bad_outputs = 0;
  size_t all_outputs = 0;
  for (const auto& set : report.sets) {
    if (!set.failure.empty()) {
      out += fmt::format("\ninput set {}: FAILS\n  {}\n", set.label, set.failure);
      continue;
    }
    out += fmt::format("\ninput set {}: {}\n", set.label, set.comparison.ok ? "ok" : "MISMATCH");
    out += fmt::format("  {:<22} {:<9} {:<18} {:>9} {:>9} {:>18} {:<16} {:>9} {:>9} {}\n", "output", "dtype",
                       "shape", "max abs", "max rel", "mismatched", "worst index", "min atol", "min rtol",
                       "rtol/atol");
    for (const auto& d : set.comparison.outputs) {
      ++all_outputs;
      bad_outputs += d.ok ? 0 : 1;
      if (!d.structure_error.empty()) {
        out += fmt::format("  {:<22} MISMATCH: {}\n", d.path, d.structure_error);
        continue;
      }
      out += fmt::format("  {:<22} {:<9} {:<18} {:>9} {:>9} {:>18} {:<16} {:>9} {:>9} {}/{}{}\n", d.path, d.dtype,
                         fmt::format("[{}]", fmt::join(d.shape, ", ")), shortNumber(d.max_abs_diff),
                         shortNumber(d.max_rel_diff),
                         fmt::format("{}/{} ({})", d.mismatched, d.total, percent(d.mismatched, d.total)),
                         d.worst_index.empty() ? "-" : fmt::format("[{}]", fmt::join(d.worst_index, ", ")),
                         shortNumber(d.min_atol), shortNumber(d.min_rtol), shortNumber(d.tolerance.rtol),
                         shortNumber(d.tolerance.atol), d.ok ? "" : "  MISMATCH");
      if (d.actual_nan || d.actual_inf || d.expected_nan || d.expected_inf) {
        out += fmt::format("  {:<22} NaN {} (expected {}), Inf {} (expected {})\n", "", d.actual_nan,
                           d.expected_nan, d.actual_inf, d.expected_inf);
      }
      if (!d.ok) {
        out += fmt::format("  {:<22} worst element: {:.9g} where {:.9g} was expected\n", "", d.worst_actual,
                           d.worst_expected);
      }
    }
    if (set.localize) {
      const LocalizeResult& l = *set.localize;
      if (l.first) {
        const Divergence& f = *l.first;
        out += fmt::format("  first divergence: {} {}{}{}\n", f.op, f.value,
                           f.module_path.empty() ? "" : " in " + f.module_path,
                           f.location.known() ? " at " + f.location.str() : "");
        if (!f.diff.structure_error.empty()) {
          out += fmt::format("    {}\n", f.diff.structure_error);
        } else {
          out += fmt::format("    max abs diff {}, max rel diff {}, {}/{} elements beyond rtol {} atol {}\n",
                             shortNumber(f.diff.max_abs_diff), shortNumber(f.diff.max_rel_diff), f.diff.mismatched,
                             f.diff.total, shortNumber(f.diff.tolerance.rtol), shortNumber(f.diff.tolerance.atol));
        }
        out += fmt::format("    node: {}\n", f.node);
        out += fmt::format("    intermediate {} of those compared; everything before it within tolerance\n",
                           f.position + 1);
      } else {
        out += fmt::format("  localize: all {} compared intermediates within tolerance\n", l.compared);
      }
      out += fmt::format("  localize: aligned {}; {} compared, {} without a partner\n", l.alignment, l.compared,
                         l.unmatched);
    }
  }
  for (const auto& f : report.findings) {
    out += fmt::format("\n{}: {}: {} [{}]\n", f.location.known() ? f.location.str() : report.actual,
                       toString(f.severity), f.message, f.check);
    if (!f.node.empty()) out += fmt::format("  note: IR node: {}\n", f.node);
    for (const auto& note : f.notes) out += fmt::format("  note: {}\n", note);
  }
  size_t failed_sets = 0;
  for (const auto& set : report.sets) failed_sets += set.failure.empty() ? 0 : 1;
  if (failed_sets > 0) {
    out += fmt::format("\nFAILS: {} of {} input set(s) fail on one side only\n", failed_sets, report.sets.size());
  } else {
    out += report.ok ? fmt::format("\nok: {} output(s) within tolerance\n", all_outputs)
                     : fmt::format("\nMISMATCH: {} of {} output(s) outside tolerance\n", bad_outputs, all_outputs);
  }
  return out;
}

std::string renderCheckTiming(const CheckReport& report) {
  const CheckTiming& t = report.timing;
  const double overhead = t.total_seconds - t.load_seconds - t.forward_seconds - t.localize_seconds;
  return fmt::format(
      "timing: total {:.4f}s = load {:.4f}s + inputs {:.4f}s + forward {:.4f}s ({} run(s)) + compare {:.4f}s + "
      "localize {:.4f}s + save {:.4f}s + other {:.4f}s\n"
      "timing: check overhead over the forward passes (total - load - forward - localize) / forward = {:.4f}\n",
      t.total_seconds, t.load_seconds, t.inputs_seconds, t.forward_seconds, t.forward_runs, t.compare_seconds,
      t.localize_seconds, t.save_seconds,
      t.total_seconds - t.load_seconds - t.inputs_seconds - t.forward_seconds - t.compare_seconds -
          t.localize_seconds - t.save_seconds,
      t.forward_seconds > 0 ? overhead / t.forward_seconds : 0.0);
}

}  // namespace jitscope
