// See report_page.h.
#include "jitscope/session/report_page.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "jitscope/core/errors.h"
#include "jitscope/inspector/graph_model.h"
#include "jitscope/inspector/model_inputs.h"
#include "jitscope/inspector/module_info.h"
#include "jitscope/passes/pipeline.h"
#include "jitscope/passes/registry.h"
#include "jitscope/report/graph_dot.h"
#include "jitscope/report/graph_view.h"
#include "jitscope/report/graphviz_render.h"
#include "jitscope/validators/pass_check.h"
#include "jitscope/validators/snapshot_diff.h"

namespace jitscope {
namespace {

// The page's drawing is an overview a reviewer reads at "fit": beyond this
// many boxes it shrinks to a thumbnail (scripted ResNet18 at 383 boxes did),
// so the report collapses submodules until it fits; `jitscope graph` draws
// every node. Scripted ResNet18 lands at depth 3 (84 boxes), a scripted
// TransformerEncoder at depth 2 (93).
constexpr size_t kMaxDrawnNodes = 200;

bool hasForward(const torch::jit::Module& module) {
  const std::vector<std::string> methods = methodNames(module);
  return std::find(methods.begin(), methods.end(), "forward") != methods.end();
}

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

HtmlReportInput buildReportPage(SessionCache& cache, const ReportRequest& request) {
  ModelSession& session = cache.session(request.model);
  HtmlReportInput in;
  in.model_path = request.model;
  in.info = session.info();
  AuditOptions audit_options = request.audit;
  if (audit_options.reference.empty()) {
    audit_options.inputs.clear();
  } else {
    audit_options.counterexample_dir = std::filesystem::temp_directory_path().string();
  }
  in.audit = session.audit(audit_options);
  addSourceExcerpts(in);

  const std::string inputs = request.audit.inputs.empty() ? "" : request.audit.inputs.front();
  if (!inputs.empty() || !request.snapshot.empty()) {
    // The page shows the snapshot's outputs and operators, never its
    // findings: they are recorded (from the default audit) only for the
    // diff against --snapshot.
    const bool findings = !request.snapshot.empty();
    in.snapshot = session.snapshot(inputs, findings);
    if (!request.snapshot.empty()) {
      in.diff = diffSnapshots(loadOrTakeSnapshot(cache, request.snapshot, inputs), *in.snapshot, {});
    }
  }

  // Outputs against a reference: the one named, or the scripted export the
  // audit already aligns with.
  std::string against = request.against;
  if (against.empty() && request.expected.empty() && request.devices.empty()) against = request.audit.reference;
  if (!inputs.empty() && (!against.empty() || !request.expected.empty() || !request.devices.empty())) {
    CheckOptions check;
    check.model = request.model;
    check.against = against;
    if (!request.expected.empty()) check.expected_files = {request.expected};
    if (!request.devices.empty()) check.devices = request.devices;
    check.input_files = request.audit.inputs;
    check.compare = request.compare;
    in.check = crossCheck(check, cache.lookup());
    // A mismatch against another run of a graph is localized: the reviewer
    // gets the first node that diverges, not only the outputs.
    if (!in.check->ok && request.expected.empty()) {
      check.localize = true;
      in.check = crossCheck(check, cache.lookup());
    }
  }

  addGraph(in, session, request.collapse);
  // Last: the pipeline changes the module (freezing replaces it).
  addPassStatistics(in, session, request.pipeline, inputs, request.compare);
  return in;
}

void addSourceExcerpts(HtmlReportInput& in) {
  in.excerpts.clear();
  for (const auto& finding : in.audit.findings) in.excerpts.push_back(excerptOf(finding, 2));
}

void addGraph(HtmlReportInput& in, ModelSession& session, int collapse) {
  const LoadedModel& model = session.model();
  if (!hasForward(*model.module)) {
    in.svg_note = "the model has no forward method to draw";
    return;
  }
  const GraphModel& graph_model = session.forwardGraph();
  GraphViewOptions options;
  options.title = std::filesystem::path(in.model_path).filename().string() + "  forward";
  options.module_types = moduleTypeNames(*model.module);
  for (const auto& f : in.audit.findings) {
    if (f.location.known()) options.highlights.push_back({f.location.file, f.location.line, f.check, f.message, f.module_path});
  }
  if (collapse > 0) options.collapse_depth = static_cast<size_t>(collapse);
  FittedViews fitted = fitViews({{&graph_model, options}}, kMaxDrawnNodes);
  // A graph still too big with every submodule collapsed (RAFT's unrolled
  // refinement: 1744 boxes, two minutes of dot) is cut, as `graph` cuts it.
  truncateViews(fitted);
  in.view = std::move(fitted.views.front());
  if (const auto depth = fitted.fit.collapse_depth) {
    in.svg_note = fmt::format("submodules {} levels deep are drawn as one box each (--collapse {}); ", *depth, *depth);
  }
  if (fitted.fit.dropped > 0) {
    in.svg_note += fmt::format("the first {} of {} boxes are drawn; ", fitted.fit.before_cut - fitted.fit.dropped,
                               fitted.fit.before_cut);
  }
  if (!in.svg_note.empty()) {
    in.svg_note += "`jitscope graph --format html` opens every module, `jitscope graph --full` draws every node";
  }
  try {
    in.svg = renderGraphviz(renderDot({in.view}), ImageFormat::kSvg);
  } catch (const GraphvizError& e) {
    in.svg_note = std::string("Graphviz could not draw the graph: ") + e.what();
  }
}

void addPassStatistics(HtmlReportInput& in, ModelSession& session, const PagePipeline& pipeline,
                       const std::string& inputs_path, const CompareOptions& compare) {
  LoadedModel& model = session.modelToChange();
  if (pipeline.passes.empty() || !hasForward(*model.module)) return;
  PassStatistics stats;
  stats.pipeline = pipeline.name;
  PipelineOptions options;
  options.model_path = in.model_path;
  // The page is about forward (the graph it draws); other methods that
  // forward calls would count its ops twice.
  options.methods = {"forward"};
  std::vector<PassStats> done;
  options.after_pass.push_back(
      [&done](const PassInfo&, const torch::jit::Module&, const PassStats& pass) { done.push_back(pass); });
  try {
    if (inputs_path.empty()) {
      stats.report = runPipeline(*model.module, pipeline.passes, options);
    } else {
      const InputSet inputs = readInputFile(inputs_path, *model.module);
      const CheckedPipeline checked =
          runCheckedPipeline(*model.module, pipeline.passes, options, inputs, compare, OutputCheck::kVerify);
      stats.report = checked.report;
      stats.inputs = inputs_path;
      if (!checked.checks.empty()) stats.outputs = checked.checks.back().comparison;
    }
  } catch (const InputError& e) {
    stats.error = firstLine(e.what());
    stats.report.passes = done;
    if (!done.empty()) {
      stats.report.nodes_before = done.front().nodes_before;
      stats.report.nodes_after = done.back().nodes_after;
    }
    for (const auto& pass : done) stats.report.seconds += pass.seconds;
  }
  in.passes = std::move(stats);
}

}  // namespace jitscope
