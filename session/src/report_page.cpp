// See report_page.h.
#include "jitscope/session/report_page.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "jitscope/core/errors.h"
#include "jitscope/inspector/graph_model.h"
#include "jitscope/inspector/model_inputs.h"
#include "jitscope/inspector/module_info.h"
#include "jitscope/passes/pipeline.h"
#include "jitscope/passes/registry.h"
#include "jitscope/report/graph_explorer.h"
#include "jitscope/report/graph_view.h"
#include "jitscope/validators/pass_check.h"
#include "jitscope/validators/snapshot_diff.h"

namespace jitscope {
namespace {

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

  ModelSession* reference = request.audit.reference.empty() ? nullptr : &cache.session(request.audit.reference);
  addGraph(in, session, request.collapse, reference);
  // Last: the pipeline changes the module (freezing replaces it).
  addPassStatistics(in, session, request.pipeline, inputs, request.compare);
  return in;
}

void addSourceExcerpts(HtmlReportInput& in) {
  in.excerpts.clear();
  for (const auto& finding : in.audit.findings) in.excerpts.push_back(excerptOf(finding, 2));
}

void addGraph(HtmlReportInput& in, ModelSession& session, int collapse, ModelSession* reference) {
  in.views.clear();
  const LoadedModel& model = session.model();
  if (!hasForward(*model.module)) {
    in.graph_note = "the model has no forward method to draw";
    return;
  }
  const std::string name = std::filesystem::path(in.model_path).filename().string();
  GraphViewOptions options;
  options.title = name + "  forward";
  options.module_types = moduleTypeNames(*model.module);
  for (const auto& f : in.audit.findings) {
    if (f.location.known()) options.highlights.push_back({f.location.file, f.location.line, f.check, f.message, f.module_path});
  }
  std::vector<ViewRequest> requests{{&session.forwardGraph(), options}};
  // The scripted reference beside the trace, as `graph --reference` draws
  // it: the same highlights mark the frozen `if` on its side.
  if (reference != nullptr && hasForward(*reference->model().module)) {
    requests.front().options.title = name;
    GraphViewOptions ref = options;
    ref.title = "reference: " + std::filesystem::path(reference->path()).filename().string();
    ref.module_types = moduleTypeNames(*reference->model().module);
    ref.id_prefix = "ref_";
    requests.push_back({&reference->forwardGraph(), std::move(ref)});
  }
  // Every node goes into the page; the explorer folds modules in the
  // browser, opening as deep as fits about 40 boxes (or at --collapse).
  in.explorer = explorerStart(requests, options.title);
  in.explorer.embedded = true;
  if (collapse > 0) {
    in.explorer.collapse_depth = static_cast<size_t>(collapse);
    in.explorer.collapse_control = false;
  }
  for (const auto& request : requests) in.views.push_back(buildGraphView(*request.graph, request.options));
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
