// jitscope report MODEL -o REPORT.html [--reference SCRIPTED.pt] [--inputs FILE.pt]
//                       [--against OTHER.pt | --expected OUTPUTS.pt] [--device cpu,cuda] [--rtol R] [--atol A]
//                       [--preset NAME|none | --passes a,b,c] [--snapshot SNAP.json]
//                       [--source-root DIR ...] [--collapse DEPTH]
#include <filesystem>
#include <string>
#include <vector>

#include "command_line.h"
#include "option_groups.h"
#include "report_page.h"
#include <unistd.h>

#include "jitscope/core/progress.h"
#include "jitscope/core/atomic_file.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/module_info.h"
#include "jitscope/report/html_report.h"
#include "jitscope/validators/cross_check.h"
#include "jitscope/validators/snapshot.h"
#include "jitscope/validators/snapshot_diff.h"
#include "jitscope/validators/trace_audit.h"

namespace jitscope::cli {

int runReport(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage =
      "MODEL -o REPORT.html [--reference SCRIPTED.pt] [--inputs FILE.pt]\n"
      "                       [--against OTHER.pt | --expected OUTPUTS.pt] [--device cpu,cuda] [--rtol R] [--atol A]\n"
      "                       [--preset NAME|none | --passes a,b,c] [--snapshot SNAP.json]\n"
      "                       [--source-root DIR ...] [--collapse DEPTH] [--probe-budget SECONDS]";
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
  ToleranceFlags tolerance;
  PassChoiceFlags pass_choice_flags;
  syntax.arguments.add_options()("model", po::value(&model_path)->required(), "TorchScript file (.pt)");
  syntax.options.add_options()
      ("output,o", po::value(&output)->required(), "the HTML file to write")
      ("reference,r", po::value(&audit_options.reference), "scripted export of the same model, for the audit")
      ("inputs,i", po::value(&audit_options.inputs)->multitoken(), "torch.save'd inputs of forward (outputs table; probes with --reference)")
      ("against,a", po::value(&against), "check the outputs on --inputs against this export (default: --reference)")
      ("expected,e", po::value(&expected), "check the outputs on --inputs against these torch.save'd outputs")
      ("device,d", po::value(&devices), "run the check there; EXPECTED,ACTUAL for two, e.g. cpu,cuda")
      ("snapshot", po::value(&snapshot_path), "a snapshot (or .pt) to show what changed against")
      ("source-root,s", po::value(&audit_options.source_roots)->multitoken(), "folder holding the model's Python sources")
      ("probe-budget", po::value(&audit_options.probe_budget_s), "stop starting the audit's probes after SECONDS")
      ("collapse", po::value(&collapse), "draw submodules this deep as one box (default: as needed to fit 200 boxes)");
  tolerance.declare(syntax.options, "of the checks");
  pass_choice_flags.declare(syntax.options, /*default_preset=*/"inference");
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);
  if (audit_options.probe_budget_s < 0) throw UsageError("--probe-budget takes seconds, 0 or more (0: no bound)");
  if (collapse < 0) throw UsageError("--collapse takes a depth of 1 or more (1 = children of the root module)");
  if (audit_options.inputs.size() > 1) throw UsageError("--inputs takes one file here");
  if (!against.empty() && !expected.empty()) throw UsageError("use one of --against and --expected");
  if ((!against.empty() || !expected.empty() || !devices.empty()) && audit_options.inputs.empty()) {
    throw UsageError("--against, --expected and --device compare outputs on --inputs FILE.pt; give the inputs");
  }
  CompareOptions compare;
  tolerance.read();
  tolerance.applyTo(compare.tolerance);
  const PassChoice pass_choice = pass_choice_flags.read(*vm);

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
    ProgressLine progress(stderr, isatty(2));
    audit_options.progress = [&progress](const std::string& text) { progress.update(text); };
    in.audit = auditModel(model, audit_options);
    progress.done();
  }
  addSourceExcerpts(in);

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

  addGraph(in, model, collapse);
  // Last: the pipeline changes the module (freezing replaces it).
  addPassStatistics(in, model, pass_choice, audit_options.inputs.empty() ? "" : audit_options.inputs.front(), compare);
  writeFileAtomically(output, renderHtmlReport(in));
  return toInt(ExitCode::kOk);
}

}  // namespace jitscope::cli
