// The report's two measurement tables: outputs compared with a reference
// (`jitscope check`'s numbers) and what a pass pipeline did to the model
// (`jitscope opt`'s statistics). The page shell is html_report.cpp.
#include "html_report_tables.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>

#include "jitscope/report/text_util.h"

namespace jitscope {
namespace {

std::string shapeText(const std::vector<int64_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

std::string codeList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += "<code>" + xmlEscape(item) + "</code> ";
  return out;
}

// One row per compared output; a structure error spans the number columns.
std::string outputRows(const std::string& set_label, const OutputComparison& comparison) {
  std::string rows;
  for (const auto& d : comparison.outputs) {
    const std::string head = fmt::format("<tr class=\"{}\"><td>{}</td><td><code>{}</code></td>", d.ok ? "pass" : "fail",
                                         d.ok ? "pass" : "FAIL", xmlEscape(set_label.empty() ? d.path : set_label + " " + d.path));
    if (!d.structure_error.empty()) {
      rows += head + "<td colspan=\"7\">" + xmlEscape(d.structure_error) + "</td></tr>";
      continue;
    }
    std::string nonfinite;
    if (d.actual_nan || d.actual_inf || d.expected_nan || d.expected_inf) {
      nonfinite = fmt::format("<br><small>NaN {} (expected {}), Inf {} (expected {})</small>", d.actual_nan,
                              d.expected_nan, d.actual_inf, d.expected_inf);
    }
    rows += head + fmt::format(
                       "<td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
                       "<td class=\"num\">{} / {}{}</td><td class=\"num\">{} / {}</td><td class=\"num\">{}</td></tr>",
                       xmlEscape(d.dtype), shapeText(d.shape), shortNumber(d.max_abs_diff), shortNumber(d.max_rel_diff),
                       d.mismatched, d.total, nonfinite, shortNumber(d.tolerance.rtol), shortNumber(d.tolerance.atol),
                       shortNumber(d.min_atol));
  }
  return rows;
}

constexpr const char* kOutputHeader =
    "<thead><tr><th></th><th>output</th><th>dtype</th><th>shape</th><th>max abs diff</th><th>max rel diff</th>"
    "<th>outside tolerance</th><th>rtol / atol</th><th>smallest passing atol</th></tr></thead>";

std::string divergenceText(const Divergence& f) {
  std::string where = f.module_path.empty() ? "" : " in <code>" + xmlEscape(f.module_path) + "</code>";
  if (f.location.known()) where += " at <code>" + xmlEscape(f.location.str()) + "</code>";
  const std::string numbers =
      f.diff.structure_error.empty()
          ? fmt::format("max abs diff {}, {} of {} elements outside tolerance", shortNumber(f.diff.max_abs_diff),
                        f.diff.mismatched, f.diff.total)
          : xmlEscape(f.diff.structure_error);
  return fmt::format(
      "<p class=\"divergence\">First divergence: <code>{}</code> <code>{}</code>{} ({}); every intermediate "
      "before it is within tolerance.</p><pre class=\"ir\">{}</pre>",
      xmlEscape(f.op), xmlEscape(f.value), where, numbers, xmlEscape(f.node));
}

std::string opChangeRows(const PipelineReport& report) {
  std::map<std::string, std::pair<size_t, size_t>> counts;  // kind -> before, after
  for (const auto& [kind, n] : report.ops_before) counts[kind].first = n;
  for (const auto& [kind, n] : report.ops_after) counts[kind].second = n;
  std::string rows;
  for (const auto& [kind, n] : counts) {
    if (n.first == n.second) continue;
    rows += fmt::format("<tr><td><code>{}</code></td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                        xmlEscape(kind), n.first, n.second);
  }
  return rows;
}

}  // namespace

std::string checkTableHtml(const CheckReport& check) {
  std::string rows;
  std::string divergences;
  size_t outputs = 0, failed = 0;
  for (const auto& set : check.sets) {
    rows += outputRows(check.sets.size() > 1 ? set.label : "", set.comparison);
    for (const auto& d : set.comparison.outputs) {
      ++outputs;
      failed += d.ok ? 0 : 1;
    }
    if (set.localize && set.localize->first) divergences += divergenceText(*set.localize->first);
  }
  const std::string verdict =
      check.ok ? fmt::format("<span class=\"badge pass\">{} output(s) within tolerance</span>", outputs)
               : fmt::format("<span class=\"badge fail\">{} of {} output(s) outside tolerance</span>", failed, outputs);
  return fmt::format(
      "<h3 id=\"check\">Outputs against a reference</h3><p>{}</p>"
      "<table class=\"kv\"><tr><th>actual</th><td>{}</td></tr><tr><th>expected</th><td>{}</td></tr></table>"
      "<table>{}<tbody>{}</tbody></table>{}",
      verdict, xmlEscape(check.actual), xmlEscape(check.expected), kOutputHeader, rows, divergences);
}

std::string passStatisticsHtml(const PassStatistics& stats) {
  const PipelineReport& r = stats.report;
  std::string rows;
  for (size_t i = 0; i < r.passes.size(); ++i) {
    const PassStats& p = r.passes[i];
    const long delta = static_cast<long>(p.nodes_after) - static_cast<long>(p.nodes_before);
    rows += fmt::format(
        "<tr class=\"{}\"><td class=\"num\">{}</td><td><code>{}</code></td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1f}</td><td>{}</td><td>{}</td></tr>",
        p.changed ? "changed" : "same", i + 1, xmlEscape(p.pass), p.nodes_before, p.nodes_after,
        delta == 0 ? (p.changed ? "rewired" : "&ndash;") : fmt::format("{:+d}", delta), p.seconds * 1e3,
        codeList(p.appeared), codeList(p.vanished));
  }
  std::string out = fmt::format(
      "<p><code>{}</code> on {}: {} pass(es), nodes {} &rarr; {}, {:.1f} ms in the passes.{}</p>",
      xmlEscape(stats.pipeline), fmt::format("{}", fmt::join(r.methods, ", ")), r.passes.size(), r.nodes_before,
      r.nodes_after, r.seconds * 1e3,
      r.nodes_before > 0 ? fmt::format(" {:.0f}% of the nodes remain.",
                                       100.0 * static_cast<double>(r.nodes_after) / static_cast<double>(r.nodes_before))
                         : "");
  if (!stats.error.empty()) out += "<p class=\"note fail\">" + xmlEscape(stats.error) + "</p>";
  if (stats.outputs) {
    out += stats.outputs->ok
               ? fmt::format("<p><span class=\"badge pass\">outputs unchanged</span> on <code>{}</code>: the "
                             "optimized model's outputs are within tolerance of the original's.</p>",
                             xmlEscape(stats.inputs))
               : fmt::format("<p><span class=\"badge fail\">outputs changed</span> on <code>{}</code>: the passes "
                             "moved the outputs beyond tolerance; <code>jitscope opt --bisect</code> names the "
                             "pass.</p><table>{}<tbody>{}</tbody></table>",
                             xmlEscape(stats.inputs), kOutputHeader, outputRows("", *stats.outputs));
  }
  out += fmt::format(
      "<table class=\"passes\"><thead><tr><th>#</th><th>pass</th><th>nodes before</th><th>after</th>"
      "<th>change</th><th>ms</th><th>ops appeared</th><th>ops vanished</th></tr></thead><tbody>{}</tbody></table>",
      rows);
  const std::string op_rows = opChangeRows(r);
  if (!op_rows.empty()) {
    out += "<details><summary>Operator counts that changed</summary><table><thead><tr><th>op</th><th>before</th>"
           "<th>after</th></tr></thead><tbody>" +
           op_rows + "</tbody></table></details>";
  }
  return out;
}

}  // namespace jitscope
