#include <fmt/format.h>

#include "jitscope/report/audit_render.h"

namespace jitscope {

namespace {

std::string paint(bool color, std::string_view code, std::string_view text) {
  return color ? fmt::format("\033[{}m{}\033[0m", code, text) : std::string(text);
}

std::string_view severityColor(Severity severity) {
  switch (severity) {
    case Severity::kError: return "1;31";
    case Severity::kWarning: return "1;35";
    case Severity::kNote: return "1;30";
  }
  return "1";
}

}  // namespace

std::string renderAuditText(const AuditReport& report, bool color) {
  std::string out;
  size_t counts[3] = {0, 0, 0};
  if (!report.probe_inputs.empty()) out += fmt::format("note: probe inputs: {}\n", report.probe_inputs);
  for (const auto& f : report.findings) {
    ++counts[static_cast<int>(f.severity)];
    const std::string where = f.location.known() ? f.location.str() : report.file;
    out += fmt::format("{}: {} {} [{}]\n", paint(color, "1", where),
                       paint(color, severityColor(f.severity), std::string(toString(f.severity)) + ":"),
                       paint(color, "1", f.message), f.check);
    if (!f.source_line.empty()) {
      // The line with a caret under the column, as compilers print it.
      out += fmt::format("{:>5} | {}\n", f.location.line, f.source_line);
      if (f.location.column > 0) {
        std::string pad;
        for (size_t i = 0; i + 1 < f.location.column && i < f.source_line.size(); ++i) {
          pad += f.source_line[i] == '\t' ? '\t' : ' ';
        }
        out += fmt::format("      | {}{}\n", pad, paint(color, "1;32", "^"));
      }
    }
    if (!f.function.empty() || !f.module_path.empty()) {
      out += fmt::format("note: in {}{}\n", f.function.empty() ? "forward" : f.function,
                         f.module_path.empty() ? "" : fmt::format(" (module '{}')", f.module_path));
    }
    for (const auto& note : f.notes) out += fmt::format("note: {}\n", note);
    if (!f.node.empty()) out += fmt::format("note: IR node: {}\n", f.node);
  }
  const Verdict verdict = report.verdict();
  const std::string_view verdict_color = verdict == Verdict::kLossy        ? "1;31"
                                         : verdict == Verdict::kUnverified ? "1;33"
                                                                           : "1;32";
  out += fmt::format("{}: {} model, {} error{}, {} warning{}, {} note{} ({} function{} read{}) — {}\n",
                     report.file, toString(report.provenance), counts[2], counts[2] == 1 ? "" : "s",
                     counts[1], counts[1] == 1 ? "" : "s", counts[0], counts[0] == 1 ? "" : "s",
                     report.functions_analyzed, report.functions_analyzed == 1 ? "" : "s",
                     report.probes_run ? fmt::format(", {} probes run", report.probes_run) : "",
                     paint(color, verdict_color, toString(verdict)));
  return out;
}

}  // namespace jitscope
