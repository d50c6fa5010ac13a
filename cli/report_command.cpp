// jitscope report MODEL -o REPORT.html [--reference SCRIPTED.pt] [--inputs FILE.pt]
//                       [--against OTHER.pt | --expected OUTPUTS.pt] [--device cpu,cuda] [--rtol R] [--atol A]
//                       [--preset NAME|none | --passes a,b,c] [--snapshot SNAP.json]
//                       [--source-root DIR ...] [--collapse DEPTH] [--probe-budget SECONDS]
//
// Option parsing; the page is assembled by session/report_page.h.
#include <unistd.h>

#include <string>
#include <vector>

#include "command_line.h"
#include "error_wording.h"
#include "option_groups.h"
#include "jitscope/core/atomic_file.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/core/progress.h"
#include "jitscope/report/html_report.h"
#include "jitscope/session/report_page.h"

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
      ("collapse", po::value(&collapse), "the graph opens with submodules this deep folded (default: as deep as fits about 40 boxes)");
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

  ReportRequest request;
  request.model = model_path;
  request.audit = audit_options;
  request.against = against;
  request.expected = expected;
  if (!devices.empty()) request.devices = splitCommas(devices);
  request.snapshot = snapshot_path;
  request.compare = compare;
  request.pipeline = {pass_choice.pipeline, pass_choice.passes};
  request.collapse = collapse;
  // The probes against a reference are the long part: a progress line on
  // stderr after two seconds.
  ProgressLine progress(stderr, isatty(2));
  if (!request.audit.reference.empty()) {
    request.audit.progress = [&progress](const std::string& text) { progress.update(text); };
  }
  SessionCache sessions(flagAdvice);
  const HtmlReportInput in = buildReportPage(sessions, request);
  progress.done();
  writeFileAtomically(output, renderHtmlReport(in));
  return toInt(ExitCode::kOk);
}

}  // namespace jitscope::cli
