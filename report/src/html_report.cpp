#include "jitscope/report/html_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>

#include "html_report_tables.h"
#include "jitscope/report/text_util.h"

namespace jitscope {
namespace {

std::string baseName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// View node ids ("n12") a finding points at: highlighted nodes at its line,
// or the note the view adds when no node comes from that line (a branch the
// trace froze has no node at its `if`).
std::vector<std::string> nodesOf(const Finding& finding, const std::vector<GraphView>& views) {
  std::vector<std::string> ids;
  if (!finding.location.known() || views.empty()) return ids;
  const GraphView& view = views.front();
  const std::string where = fmt::format("{}:{}", baseName(finding.location.file), finding.location.line);
  for (const auto& node : view.nodes) {
    const bool at_line = node.location == where || (node.kind == ViewNodeKind::kNote && node.title == where);
    if (!node.highlight.empty() && at_line) ids.push_back(node.id);
  }
  return ids;
}

std::string summarySection(const HtmlReportInput& in) {
  const ModuleInfo& info = in.info;
  size_t errors = 0, warnings = 0, notes = 0;
  for (const auto& f : in.audit.findings) {
    (f.severity == Severity::kError ? errors : f.severity == Severity::kWarning ? warnings : notes)++;
  }
  std::string methods;
  if (!info.modules.empty()) {
    for (const auto& m : info.modules.front().methods) methods += fmt::format("<li><code>{}</code></li>", xmlEscape(m.schema));
  }
  const std::string verdict(toString(in.audit.verdict()));
  std::string diff_badge;
  if (in.diff) {
    diff_badge = in.diff->same() ? "<span class=\"badge pass\">same as snapshot</span>"
                                 : fmt::format("<span class=\"badge fail\">{} changes vs snapshot</span>",
                                               in.diff->changes.size());
  }
  return fmt::format(
      "<section id=\"summary\"><h2>Summary</h2>"
      "<p><span class=\"badge {0}\">{0}</span> <span class=\"badge neutral\">{1}</span> {2}</p>"
      "<table class=\"kv\">"
      "<tr><th>file</th><td><code>{3}</code></td></tr>"
      "<tr><th>archive</th><td>{4}, {5}</td></tr>"
      "<tr><th>modules</th><td>{6}</td></tr>"
      "<tr><th>parameters</th><td>{7} tensors, {8} elements, {9}</td></tr>"
      "<tr><th>forward</th><td>{10} nodes, {11} <code>if</code>, {12} loops</td></tr>"
      "<tr><th>findings</th><td>errors {13}, warnings {14}, notes {15}</td></tr>"
      "<tr><th>methods</th><td><ul>{16}</ul></td></tr>"
      "</table></section>\n",
      verdict, xmlEscape(std::string(toString(info.provenance.verdict()))), diff_badge, xmlEscape(in.model_path),
      fmt::format("TorchScript archive, format version {}", info.archive.format_version),
      xmlEscape(humanBytes(info.archive.file_size)), info.modules.size(), info.parameters.count, info.parameters.elements,
      xmlEscape(humanBytes(info.parameters.bytes)), info.forward.nodes, info.forward.if_nodes, info.forward.loop_nodes,
      errors, warnings, notes, methods);
}

std::string provenanceSection(const HtmlReportInput& in) {
  std::string rows;
  for (const auto& m : in.info.modules) {
    rows += fmt::format("<tr><td style=\"padding-left:{}em\"><code>{}</code></td><td>{}</td><td>{}{}</td><td>{}</td></tr>",
                        0.6 + 1.2 * static_cast<double>(m.depth), xmlEscape(m.path.empty() ? "(root)" : m.path),
                        xmlEscape(m.type_name), xmlEscape(std::string(toString(m.verdict))),
                        m.verdict_from_submodules ? " (from submodules)" : "", xmlEscape(describeEvidence(m.provenance)));
  }
  return fmt::format(
      "<section id=\"provenance\"><h2>Provenance</h2><p>{}</p>"
      "<table><thead><tr><th>module</th><th>type</th><th>made by</th><th>evidence</th></tr></thead>"
      "<tbody>{}</tbody></table></section>\n",
      xmlEscape(describeEvidence(in.info.provenance)), rows);
}

std::string findingsSection(const HtmlReportInput& in) {
  if (in.audit.findings.empty()) {
    return "<section id=\"findings\"><h2>Findings</h2><p class=\"ok\">The audit found nothing tracing lost.</p></section>\n";
  }
  std::string items;
  for (size_t i = 0; i < in.audit.findings.size(); ++i) {
    const Finding& f = in.audit.findings[i];
    std::string excerpt;
    if (i < in.excerpts.size() && !in.excerpts[i].lines.empty()) {
      const SourceExcerpt& e = in.excerpts[i];
      for (size_t k = 0; k < e.lines.size(); ++k) {
        const size_t line = e.first_line + k;
        excerpt += fmt::format("<span class=\"ln{}\"><b>{:>4}</b> {}</span>\n", line == f.location.line ? " hit" : "",
                               line, xmlEscape(e.lines[k]));
      }
      excerpt = "<pre class=\"src\">" + excerpt + "</pre>";
    } else if (!f.source_line.empty()) {
      excerpt = fmt::format("<pre class=\"src\"><span class=\"ln hit\"><b>{:>4}</b> {}</span></pre>", f.location.line,
                            xmlEscape(f.source_line));
    }
    std::string notes;
    for (const auto& note : f.notes) notes += "<li>" + xmlEscape(note) + "</li>";
    const auto nodes = nodesOf(f, in.views);
    items += fmt::format(
        "<li class=\"finding {0}\" data-nodes=\"{1}\"><div class=\"head\"><span class=\"sev\">{0}</span> "
        "<code class=\"loc\">{2}</code> {3} <span class=\"check\">[{4}]</span>{5}</div>"
        "{6}{7}{8}</li>\n",
        xmlEscape(std::string(toString(f.severity))), xmlEscape(fmt::format("{}", fmt::join(nodes, " "))),
        xmlEscape(f.location.known() ? f.location.str() : in.audit.file), xmlEscape(f.message), xmlEscape(f.check),
        nodes.empty() ? "" : " <button class=\"show\">show in graph</button>", excerpt,
        f.node.empty() ? "" : "<pre class=\"ir\">" + xmlEscape(f.node) + "</pre>",
        notes.empty() ? "" : "<ul class=\"notes\">" + notes + "</ul>");
  }
  return "<section id=\"findings\"><h2>Findings</h2><ol class=\"findings\">" + items + "</ol></section>\n";
}

std::string graphSection(const HtmlReportInput& in) {
  if (in.views.empty()) {
    return fmt::format("<section id=\"graph\"><h2>Graph</h2><p>{}</p></section>\n", xmlEscape(in.graph_note));
  }
  const GraphView& view = in.views.front();
  std::string start;
  if (const auto depth = in.explorer.collapse_depth) {
    start = fmt::format(" It opens with submodules {} level{} deep folded{}; <b>collapse all</b> folds every one.", *depth,
                        *depth == 1 ? "" : "s", in.explorer.collapse_control ? ", and the <code>if</code>s and loops" : "");
  }
  std::string reference;
  if (in.views.size() > 1) {
    std::string name = in.views[1].title;
    if (name.rfind("reference: ", 0) == 0) name = name.substr(11);
    reference = fmt::format(
        " On the right is the reference <code>{}</code>: selecting a box marks the boxes of the same Python line "
        "there (dashed blue), and a finding's line is red on both sides.",
        xmlEscape(name));
  }
  return fmt::format(
      "<section id=\"graph\"><h2>Graph: forward, {} nodes, {} boxes</h2>"
      "<p class=\"how\">Click a <b>&#9656;</b> box to open a module, <code>if</code> or loop in place, and a frame's "
      "title to close it; search by op (<code>linear</code>), module path (<code>layer1.0</code>), value "
      "(<code>%x.1</code>) or <code>file.py:LINE</code>; click a box for its IR line, schema, Python source and the "
      "findings on it (red). Drag to pan; Ctrl+wheel or <b>+</b>/<b>&minus;</b> zoom.{}{}</p>\n{}</section>\n",
      view.graph_nodes, view.nodes.size(), start, reference, renderExplorerElement(in.views, in.explorer));
}

std::string fmtShape(const std::vector<int64_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

std::string checksSection(const HtmlReportInput& in) {
  std::string out = in.check ? checkTableHtml(*in.check) : "";
  if (in.snapshot && !in.snapshot->outputs.empty()) {
    std::string rows;
    for (const auto& o : in.snapshot->outputs) {
      rows += fmt::format("<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{:.6g}</td><td>{:.6g}</td><td>{:.6g}</td>"
                          "<td><code>{}</code></td></tr>",
                          xmlEscape(o.name), xmlEscape(o.dtype), fmtShape(o.shape), o.min, o.max, o.mean, o.digest.substr(0, 12));
    }
    out += fmt::format("<h3>Outputs on <code>{}</code></h3><table><thead><tr><th>output</th><th>dtype</th><th>shape</th>"
                       "<th>min</th><th>max</th><th>mean</th><th>digest</th></tr></thead><tbody>{}</tbody></table>",
                       xmlEscape(in.snapshot->inputs), rows);
  }
  if (in.snapshot) {
    out += fmt::format("<h3>Operators ({})</h3><p class=\"ops\">", in.snapshot->ops.size());
    for (const auto& op : in.snapshot->ops) out += "<code>" + xmlEscape(op) + "</code> ";
    out += "</p>";
  }
  if (in.diff) {
    std::string rows;
    for (const auto& c : in.diff->changes) {
      std::string details;
      for (const auto& d : c.details) details += xmlEscape(d) + "\n";
      rows += fmt::format("<tr class=\"fail\"><td>{}</td><td><code>{}</code></td><td>{}{}</td></tr>", toString(c.kind),
                          xmlEscape(c.subject), xmlEscape(c.message), details.empty() ? "" : "<pre>" + details + "</pre>");
    }
    for (const auto& note : in.diff->notes) rows += "<tr><td>note</td><td></td><td>" + xmlEscape(note) + "</td></tr>";
    if (rows.empty()) rows = "<tr class=\"pass\"><td>all</td><td></td><td>same behaviour as the snapshot</td></tr>";
    out += fmt::format("<h3>Against snapshot <code>{}</code></h3><table><thead><tr><th>kind</th><th>subject</th>"
                       "<th>change</th></tr></thead><tbody>{}</tbody></table>",
                       xmlEscape(in.diff->old_name), rows);
  }
  if (out.empty()) return "";
  return "<section id=\"checks\"><h2>Checks</h2>" + out + "</section>\n";
}

std::string passesSection(const HtmlReportInput& in) {
  if (!in.passes) return "";
  return "<section id=\"passes\"><h2>Passes</h2>" + passStatisticsHtml(*in.passes) + "</section>\n";
}

bool hasChecks(const HtmlReportInput& in) { return in.snapshot || in.diff || in.check; }

constexpr const char* kStyle = R"CSS(
:root { --fg:#1f2328; --muted:#59636e; --line:#d0d7de; --bg2:#f6f8fa; --red:#cf222e; --amber:#9a6700; --green:#1a7f37; --blue:#0969da; }
*:not(.jx *) { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0; }
header { background: #24292f; color: #fff; padding: .8em 2em; }
header h1 { margin: 0; font-size: 1.3em; font-weight: 600; }
header nav a { color: #c9d1d9; margin-right: 1.2em; text-decoration: none; font-size: .92em; }
main { padding: 0 2em 3em; max-width: 1400px; }
h2:not(.jx *) { border-bottom: 1px solid var(--line); padding-bottom: .2em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border-bottom: 1px solid var(--line); padding: .3em .7em; text-align: left; vertical-align: top; }
table.kv th { color: var(--muted); font-weight: 500; }
ul:not(.jx *) { margin: 0; padding-left: 1.2em; }
code:not(.jx *), pre:not(.jx *) { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
pre:not(.jx *) { background: var(--bg2); padding: .5em .8em; overflow-x: auto; margin: .4em 0; border-radius: 4px; }
.badge { display: inline-block; padding: .1em .6em; border-radius: 1em; font-weight: 600; font-size: .9em; }
.badge.lossy, .badge.fail { background: #ffebe9; color: var(--red); }
.badge.clean, .badge.pass { background: #dafbe1; color: var(--green); }
.badge.neutral { background: #ddf4ff; color: var(--blue); }
.badge.unverified { background: #fff8c5; color: #7d4e00; }
ol.findings { padding-left: 1.5em; }
li.finding { margin: .8em 0; }
li.finding .sev { font-weight: 700; text-transform: uppercase; font-size: .8em; }
li.finding.error .sev { color: var(--red); } li.finding.warning .sev { color: var(--amber); } li.finding.note .sev { color: var(--blue); }
.check { color: var(--muted); }
pre.src .hit { background: #fff8c5; display: inline-block; width: 100%; }
pre.src b { color: var(--muted); font-weight: 400; }
li.finding pre.ir { color: var(--muted); }
#graph .jx { height: min(85vh, 1000px); min-height: 480px; border: 1px solid var(--line); border-radius: 4px; }
button.show { font: inherit; font-size: .85em; margin-right: .3em; cursor: pointer; }
tr.fail td:first-child { color: var(--red); font-weight: 600; } tr.pass td:first-child { color: var(--green); font-weight: 600; }
.ok { color: var(--green); }
p.ops code { background: var(--bg2); padding: 0 .3em; margin-right: .2em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.passes tr.same td { color: var(--muted); }
table.passes td code { font-size: 11.5px; }
p.note.fail { color: var(--red); }
details summary { cursor: pointer; color: var(--blue); margin: .5em 0; }
)CSS";

// Errors are recorded in the page itself (data-js-errors on <body>) before
// anything else runs, so a headless browser test can read them from the DOM.
constexpr const char* kErrorHook = R"JS(
window.__jsErrors = [];
window.addEventListener('error', function (e) {
  window.__jsErrors.push(String(e.message));
  document.documentElement.setAttribute('data-js-errors', window.__jsErrors.join(' | '));
});
)JS";

// After the explorer's script (window.jitscopeExplorer): "show in graph"
// selects the finding's first box in the explorer and brings it into view.
constexpr const char* kScript = R"JS(
(function () {
  document.querySelectorAll('button.show').forEach(function (b) {
    b.addEventListener('click', function () {
      var ids = b.closest('li').getAttribute('data-nodes').split(' ');
      if (!window.jitscopeExplorer || !window.jitscopeExplorer.show(0, ids[0])) return;
      document.getElementById('graph').scrollIntoView({block: 'start'});
    });
  });
  document.documentElement.setAttribute('data-report-ready', 'yes');
})();
)JS";

}  // namespace

std::string renderHtmlReport(const HtmlReportInput& in) {
  const std::string name = baseName(in.model_path);
  std::string body = summarySection(in) + findingsSection(in) + graphSection(in) + checksSection(in) +
                     passesSection(in) + provenanceSection(in);
  return fmt::format(R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>jitscope report: {0}</title>
<script>{1}</script>
<style id="report-style">{2}</style>
<style id="jx-style">{7}</style></head>
<body><header><h1>jitscope report: {0}</h1><nav><a href="#summary">summary</a><a href="#findings">findings</a><a href="#graph">graph</a>{3}{6}<a href="#provenance">provenance</a></nav></header>
<main>
{4}</main>
{8}<script>{5}</script>
</body></html>
)",
                     xmlEscape(name), kErrorHook, kStyle, hasChecks(in) ? "<a href=\"#checks\">checks</a>" : "", body,
                     kScript, in.passes ? "<a href=\"#passes\">passes</a>" : "", in.views.empty() ? "" : explorerStyle(),
                     in.views.empty() ? "" : "<script>" + explorerScript() + "</script>\n");
}

}  // namespace jitscope
