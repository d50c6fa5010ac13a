// jitscope report MODEL -o REPORT.html [--reference SCRIPTED.pt] [--inputs FILE.pt]
//                       [--against OTHER.pt | --expected OUTPUTS.pt] [--device cpu,cuda] [--rtol R] [--atol A]
//                       [--preset NAME|none | --passes a,b,c] [--snapshot SNAP.json]
//                       [--source-root DIR ...] [--collapse DEPTH]
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
#include "jitscope/inspector/model_inputs.h"
#include "jitscope/inspector/module_info.h"
#include "jitscope/passes/pipeline.h"
#include "jitscope/passes/registry.h"
#include "jitscope/report/graph_dot.h"
#include "jitscope/report/graph_view.h"
#include "jitscope/report/graphviz_render.h"
#include "jitscope/report/html_report.h"
#include "jitscope/validators/cross_check.h"
#include "jitscope/validators/pass_check.h"
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

// What the page's Passes section runs: a preset, a list, or nothing.
struct PassChoice {
  std::string pipeline;  ///< "preset inference"; empty: no section
  std::vector<const PassInfo*> passes;
};

PassChoice choosePasses(const std::string& preset_name, const std::string& pass_list) {
  PassChoice choice;
  if (!pass_list.empty()) {
    std::vector<std::string> names;
    for (auto& name : splitCommas(pass_list)) {
      if (!name.empty()) names.push_back(std::move(name));
    }
    if (names.empty()) throw UsageError("--passes names no pass");
    choice.passes = resolvePasses(names);
    choice.pipeline = "passes " + pass_list;
    return choice;
  }
  if (preset_name == "none") return choice;
  const Preset* preset = findPreset(preset_name);
  if (preset == nullptr) {
    std::string known;
    for (const auto& p : presets()) known += p.name + ", ";
    throw UsageError(fmt::format("unknown preset '{}'; use one of: {}none", preset_name, known));
  }
  choice.passes = resolvePasses(preset->passes);
  choice.pipeline = "preset " + preset->name;
  return choice;
}

// Runs the pipeline on `model` (which it changes: call it last). A pass that
// LibTorch cannot run ends the statistics there with the error on the page:
// the reviewer should see it, and the report is still worth writing.
PassStatistics passStatistics(LoadedModel& model, const std::string& model_path, const PassChoice& choice,
                              const std::string& inputs_path, const CompareOptions& compare) {
  PassStatistics stats;
  stats.pipeline = choice.pipeline;
  PipelineOptions options;
  options.model_path = model_path;
  // The page is about forward (the graph it draws); other methods that
  // forward calls would count its ops twice.
  options.methods = {"forward"};
  std::vector<PassStats> done;
  options.after_pass.push_back(
      [&done](const PassInfo&, const torch::jit::Module&, const PassStats& pass) { done.push_back(pass); });
  try {
    if (inputs_path.empty()) {
      stats.report = runPipeline(*model.module, choice.passes, options);
    } else {
      const InputSet inputs = readInputFile(inputs_path, *model.module);
      const CheckedPipeline checked =
          runCheckedPipeline(*model.module, choice.passes, options, inputs, compare, OutputCheck::kVerify);
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
  return stats;
}

}  // namespace

int runReport(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage =
      "MODEL -o REPORT.html [--reference SCRIPTED.pt] [--inputs FILE.pt]\n"
      "                       [--against OTHER.pt | --expected OUTPUTS.pt] [--device cpu,cuda] [--rtol R] [--atol A]\n"
      "                       [--preset NAME|none | --passes a,b,c] [--snapshot SNAP.json]\n"
      "                       [--source-root DIR ...] [--collapse DEPTH]";
  syntax.description =
      "Write one self-contained HTML page (no network, no external files) for a reviewer:\n"
      "summary, audit findings with source excerpts, forward's graph with the findings\n"
      "highlighted and branches, loops and modules as boxes, outputs on --inputs, the\n"
      "outputs against a reference (--against, --expected, --device, or --reference when\n"
      "--inputs is given), what changed against --snapshot, what the passes of --preset\n"
      "(default inference) do to the model, and provenance per module.";
  std::string model_path;
  std::string output;
  std::string snapshot_path;
  int collapse = 0;
  AuditOptions audit_options;
  std::string against;
  std::string expected;
  std::string devices;
  std::string preset_name;
  std::string pass_list;
  syntax.arguments.add_options()("model", po::value(&model_path)->required(), "TorchScript file (.pt)");
  syntax.options.add_options()
      ("output,o", po::value(&output)->required(), "the HTML file to write")
      ("reference,r", po::value(&audit_options.reference), "scripted export of the same model, for the audit")
      ("inputs,i", po::value(&audit_options.inputs)->multitoken(), "torch.save'd inputs of forward (outputs table; probes with --reference)")
      ("against,a", po::value(&against), "check the outputs on --inputs against this export (default: --reference)")
      ("expected,e", po::value(&expected), "check the outputs on --inputs against these torch.save'd outputs")
      ("device,d", po::value(&devices), "run the check there; EXPECTED,ACTUAL for two, e.g. cpu,cuda")
      ("rtol", po::value<double>(), "relative tolerance of the checks (default: by dtype)")
      ("atol", po::value<double>(), "absolute tolerance of the checks (default: by dtype)")
      ("preset", po::value(&preset_name)->default_value("inference"), "pass statistics of this pipeline, or none")
      ("passes,p", po::value(&pass_list), "pass statistics of these passes (comma-separated) instead")
      ("snapshot", po::value(&snapshot_path), "a snapshot (or .pt) to show what changed against")
      ("source-root,s", po::value(&audit_options.source_roots)->multitoken(), "folder holding the model's Python sources")
      ("collapse", po::value(&collapse), "draw submodules this deep as one box (default: as needed to fit 400 nodes)");
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);
  if (collapse < 0) throw UsageError("--collapse takes a depth of 1 or more (1 = children of the root module)");
  if (audit_options.inputs.size() > 1) throw UsageError("--inputs takes one file here");
  if (!against.empty() && !expected.empty()) throw UsageError("use one of --against and --expected");
  if ((!against.empty() || !expected.empty() || !devices.empty()) && audit_options.inputs.empty()) {
    throw UsageError("--against, --expected and --device compare outputs on --inputs FILE.pt; give the inputs");
  }
  CompareOptions compare;
  if (vm->count("rtol")) compare.tolerance.rtol = (*vm)["rtol"].as<double>();
  if (vm->count("atol")) compare.tolerance.atol = (*vm)["atol"].as<double>();
  if (!vm->count("preset") || (*vm)["preset"].defaulted()) {
    if (!pass_list.empty()) preset_name.clear();
  } else if (!pass_list.empty()) {
    throw UsageError("use one of --preset and --passes");
  }
  const PassChoice pass_choice = choosePasses(preset_name, pass_list);

  LoadedModel model = loadModel(model_path);
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

  // Outputs against a reference: the one named, or the scripted export the
  // audit already aligns with.
  if (against.empty() && expected.empty() && devices.empty()) against = audit_options.reference;
  if (!audit_options.inputs.empty() && (!against.empty() || !expected.empty() || !devices.empty())) {
    CheckOptions check;
    check.model = model_path;
    check.against = against;
    if (!expected.empty()) check.expected_files = {expected};
    if (!devices.empty()) check.devices = splitCommas(devices);
    check.input_files = audit_options.inputs;
    check.compare = compare;
    in.check = crossCheck(check);
    // A mismatch against another run of a graph is localized: the reviewer
    // gets the first node that diverges, not only the outputs.
    if (!in.check->ok && expected.empty()) {
      check.localize = true;
      in.check = crossCheck(check);
    }
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
  // Last: the pipeline changes the module (freezing replaces it).
  if (!pass_choice.passes.empty() && std::find(methods.begin(), methods.end(), "forward") != methods.end()) {
    const std::string inputs = audit_options.inputs.empty() ? "" : audit_options.inputs.front();
    in.passes = passStatistics(model, model_path, pass_choice, inputs, compare);
  }
  writeFileAtomically(output, renderHtmlReport(in));
  return toInt(ExitCode::kOk);
}

}  // namespace jitscope::cli
