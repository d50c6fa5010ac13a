#include <nlohmann/json.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "jitscope/report/check_render.h"
#include "jitscope/report/json_util.h"
#include "jitscope/report/junit.h"
#include "jitscope/report/text_util.h"

namespace jitscope {
namespace {

using nlohmann::ordered_json;

// JSON has no infinity or NaN: null stands for them.
ordered_json number(double value) { return std::isfinite(value) ? ordered_json(value) : ordered_json(nullptr); }

ordered_json diffJson(const OutputDiff& d) {
  ordered_json out{{"path", d.path}, {"ok", d.ok}};
  if (!d.structure_error.empty()) {
    out["structure_error"] = d.structure_error;
    return out;
  }
  out["structure_error"] = nullptr;
  out["dtype"] = d.dtype;
  out["shape"] = d.shape;
  out["max_abs_diff"] = number(d.max_abs_diff);
  out["max_rel_diff"] = number(d.max_rel_diff);
  out["mismatched"] = d.mismatched;
  out["total"] = d.total;
  out["mismatched_fraction"] = d.total ? static_cast<double>(d.mismatched) / static_cast<double>(d.total) : 0.0;
  out["worst_index"] = d.worst_index;
  out["worst_actual"] = number(d.worst_actual);
  out["worst_expected"] = number(d.worst_expected);
  out["rtol"] = d.tolerance.rtol;
  out["atol"] = d.tolerance.atol;
  out["min_atol"] = number(d.min_atol);
  out["min_rtol"] = number(d.min_rtol);
  out["nan"] = {{"actual", d.actual_nan}, {"expected", d.expected_nan}};
  out["inf"] = {{"actual", d.actual_inf}, {"expected", d.expected_inf}};
  return out;
}

std::string failureText(const OutputDiff& d) {
  if (!d.structure_error.empty()) return d.structure_error;
  return fmt::format("{} of {} elements outside rtol {} atol {}; max abs diff {:.3g} at [{}]", d.mismatched, d.total,
                     d.tolerance.rtol, d.tolerance.atol, d.max_abs_diff, fmt::join(d.worst_index, ", "));
}

}  // namespace

std::string renderCheckJson(const CheckReport& report) {
  ordered_json outputs = ordered_json::array();
  ordered_json localize = ordered_json::array();
  for (const auto& set : report.sets) {
    for (const auto& d : set.comparison.outputs) {
      ordered_json entry = diffJson(d);
      entry["input_set"] = set.label;
      outputs.push_back(entry);
    }
    if (!set.localize) continue;
    const LocalizeResult& l = *set.localize;
    ordered_json first = nullptr;
    if (l.first) {
      const Divergence& f = *l.first;
      first = {{"op", f.op},
               {"value", f.value},
               {"module", f.module_path},
               {"location", locationJson(f.location)},
               {"node", f.node},
               {"position", f.position},
               {"diff", diffJson(f.diff)}};
    }
    localize.push_back({{"input_set", set.label},
                        {"alignment", l.alignment},
                        {"compared", l.compared},
                        {"unmatched", l.unmatched},
                        {"seconds", l.seconds},
                        {"first_divergence", first}});
  }
  const CheckTiming& t = report.timing;
  ordered_json out{{"ok", report.ok},
                   {"method", report.method},
                   {"actual", report.actual},
                   {"expected", report.expected},
                   {"input_sets", ordered_json::array()},
                   {"outputs", outputs},
                   {"localize", localize},
                   {"timing",
                    {{"total_seconds", t.total_seconds},
                     {"load_seconds", t.load_seconds},
                     {"inputs_seconds", t.inputs_seconds},
                     {"forward_seconds", t.forward_seconds},
                     {"forward_runs", t.forward_runs},
                     {"compare_seconds", t.compare_seconds},
                     {"localize_seconds", t.localize_seconds},
                     {"save_seconds", t.save_seconds}}}};
  for (const auto& set : report.sets) {
    out["input_sets"].push_back({{"label", set.label},
                                 {"ok", set.comparison.ok},
                                 {"failure", set.failure.empty() ? ordered_json(nullptr) : ordered_json(set.failure)}});
  }
  ordered_json findings = ordered_json::array();
  for (const auto& f : report.findings) {
    findings.push_back({{"check", f.check},
                        {"severity", std::string(toString(f.severity))},
                        {"message", f.message},
                        {"location", locationJson(f.location)},
                        {"node", f.node},
                        {"notes", f.notes}});
  }
  out["findings"] = findings;
  return out.dump(2) + "\n";
}

std::string renderCheckJunit(const CheckReport& report) {
  JunitSuite suite;
  suite.name = report.actual + " vs " + report.expected;
  for (const auto& set : report.sets) {
    if (!set.failure.empty()) {
      suite.cases.push_back({"jitscope.check", set.label,
                             {{JunitProblem::Kind::kFailure, checkInfo(CheckId::kTraceBakedDevice).name, set.failure, std::nullopt}}});
      continue;
    }
    for (const auto& d : set.comparison.outputs) {
      JunitCase test{"jitscope.check", fmt::format("{}: {}", set.label, d.path), {}};
      if (!d.ok) {
        std::string detail = failureText(d);
        if (set.localize && set.localize->first) {
          const Divergence& f = *set.localize->first;
          detail += fmt::format("\nfirst divergence: {} {}{}{}", f.op, f.value,
                                f.module_path.empty() ? "" : " in " + f.module_path,
                                f.location.known() ? " at " + f.location.str() : "");
        }
        test.problems.push_back({JunitProblem::Kind::kFailure, "mismatch", failureText(d), detail});
      }
      suite.cases.push_back(std::move(test));
    }
  }
  return renderJunit({std::nullopt, {std::move(suite)}});
}

}  // namespace jitscope
