// jitscope report MODEL -o REPORT.html [--reference SCRIPTED.pt] [--inputs FILE.pt]
//                       [--snapshot SNAP.json] [--source-root DIR ...] [--collapse DEPTH]
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line.h"
#include "jitscope/core/atomic_file.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/inspector/graph_model.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/module_info.h"
#include "jitscope/report/graph_dot.h"
#include "jitscope/report/graph_view.h"
#include "jitscope/report/graphviz_render.h"
#include "jitscope/report/html_report.h"
#include "jitscope/validators/snapshot.h"
#include "jitscope/validators/snapshot_diff.h"
#include "jitscope/validators/trace_audit.h"

namespace jitscope::cli {
namespace {

// Beyond this many drawn nodes the page gets heavy and Graphviz slow; the
// report collapses submodules until the drawing fits.
constexpr size_t kMaxDrawnNodes = 400;

SourceExcerpt excerptOf(const Finding& finding, size_t context) {
  SourceExcerpt excerpt;
  if (!finding.location.known()) return excerpt;
  std::ifstream in(finding.location.file);
  if (!in) return excerpt;
  const size_t first = finding.location.line > context ? finding.location.line - context : 1;
  std::string line;
  for (size_t n = 1; std::getline(in, line) && n <= finding.location.line + context; ++n) {
    if (n >= first) excerpt.lines.push_back(line);
  }
  excerpt.first_line = first;
  return excerpt;
}

}  // namespace

int runReport(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage =
      "MODEL -o REPORT.html [--reference SCRIPTED.pt] [--inputs FILE.pt] [--snapshot SNAP.json]\n"
      "                       [--source-root DIR ...] [--collapse DEPTH]";
  syntax.description =
      "Write one self-contained HTML page (no network, no external files) for a reviewer:\n"
      "summary, audit findings with source excerpts, forward's graph with the findings\n"
      "highlighted and branches, loops and modules as boxes, outputs on --inputs, what\n"
      "changed against --snapshot, and provenance per module.";
  std::string model_path;
  std::string output;
  std::string snapshot_path;
  int collapse = 0;
  AuditOptions audit_options;
  syntax.arguments.add_options()("model", po::value(&model_path)->required(), "TorchScript file (.pt)");
  syntax.options.add_options()
      ("output,o", po::value(&output)->required(), "the HTML file to write")
      ("reference,r", po::value(&audit_options.reference), "scripted export of the same model, for the audit")
      ("inputs,i", po::value(&audit_options.inputs)->multitoken(), "torch.save'd inputs of forward (outputs table; probes with --reference)")
      ("snapshot", po::value(&snapshot_path), "a snapshot (or .pt) to show what changed against")
      ("source-root,s", po::value(&audit_options.source_roots)->multitoken(), "folder holding the model's Python sources")
      ("collapse", po::value(&collapse), "draw submodules this deep as one box (default: as needed to fit 400 nodes)");
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);
  if (collapse < 0) throw UsageError("--collapse takes a depth of 1 or more (1 = children of the root module)");
  if (audit_options.inputs.size() > 1) throw UsageError("--inputs takes one file here");

  const LoadedModel model = loadModel(model_path);
  HtmlReportInput in;
  in.model_path = model_path;
  in.info = describeModel(model);
  if (audit_options.reference.empty()) {
    AuditOptions plain = audit_options;
    plain.inputs.clear();
    in.audit = auditModel(model, plain);
  } else {
    audit_options.counterexample_dir = std::filesystem::temp_directory_path().string();
    in.audit = auditModel(model, audit_options);
  }
  for (const auto& finding : in.audit.findings) in.excerpts.push_back(excerptOf(finding, 2));

  if (!audit_options.inputs.empty() || !snapshot_path.empty()) {
    SnapshotOptions options;
    if (!audit_options.inputs.empty()) options.inputs = audit_options.inputs.front();
    in.snapshot = takeSnapshot(model, model_path, options);
    if (!snapshot_path.empty()) in.diff = diffSnapshots(loadOrTakeSnapshot(snapshot_path, options), *in.snapshot, {});
  }

  const std::vector<std::string> methods = methodNames(*model.module);
  if (std::find(methods.begin(), methods.end(), "forward") == methods.end()) {
    in.svg_note = "the model has no forward method to draw";
  } else {
    const auto graph = methodGraph(*model.module, "forward", GraphForm::kInlined);
    const GraphModel graph_model = buildGraphModel(*graph, "forward", /*inlined=*/true);
    GraphViewOptions options;
    options.title = std::filesystem::path(model_path).filename().string() + "  forward";
    options.module_types = moduleTypeNames(*model.module);
    for (const auto& f : in.audit.findings) {
      if (f.location.known()) options.highlights.push_back({f.location.file, f.location.line, f.check, f.message, f.module_path});
    }
    if (collapse > 0) options.collapse_depth = static_cast<size_t>(collapse);
    in.view = buildGraphView(graph_model, options);
    for (size_t depth = 4; collapse == 0 && depth >= 1 && in.view.nodes.size() > kMaxDrawnNodes; --depth) {
      options.collapse_depth = depth;
      in.view = buildGraphView(graph_model, options);
      in.svg_note = fmt::format("submodules {} levels deep are drawn as one box each (--collapse {}); "
                                "`jitscope graph` draws every node", depth, depth);
    }
    try {
      in.svg = renderGraphviz(renderDot({in.view}), ImageFormat::kSvg);
    } catch (const GraphvizError& e) {
      in.svg_note = std::string("Graphviz could not draw the graph: ") + e.what();
    }
  }
  writeFileAtomically(output, renderHtmlReport(in));
  return toInt(ExitCode::kOk);
}

}  // namespace jitscope::cli
