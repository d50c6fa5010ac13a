// jitscope audit MODEL [--reference SCRIPTED.pt] [--inputs FILE.pt ...] [--probe N]
//                      [--source-root DIR ...] [--format text|json|sarif|junit]
//                      [--fail-on note|warning|error] [--unverified pass|fail] [--no-source]
#include <string>
#include <vector>

#include <fmt/format.h>
#include <unistd.h>

#include "command_line.h"
#include "error_wording.h"
#include "option_groups.h"
#include "jitscope/core/progress.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/report/audit_render.h"
#include "jitscope/session/model_session.h"
#include "jitscope/validators/cross_check.h"

namespace jitscope::cli {
namespace {

UnverifiedPolicy parseUnverified(const std::string& name) {
  if (name == "pass") return UnverifiedPolicy::kPass;
  if (name == "fail") return UnverifiedPolicy::kFail;
  throw UsageError(fmt::format("unknown --unverified policy '{}'; use pass or fail", name));
}

}  // namespace

int runAudit(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage =
      "MODEL [--reference SCRIPTED.pt] [--inputs FILE.pt ...] [--probe N] [--probe-budget SECONDS]\n"
      "                      [--device cpu|cuda]\n"
      "                      [--source-root DIR ...] [--no-source]\n"
      "                      [--format text|json|sarif|junit] [--fail-on note|warning|error]\n"
      "                      [--unverified pass|fail]";
  syntax.description =
      "Find behaviour that torch.jit.trace lost: data-dependent branches frozen to one\n"
      "side, loops unrolled to the example's length, values baked in from .item(),\n"
      "shapes, devices, dtypes, NumPy/random/time/environment reads or Python state,\n"
      "modules traced in training mode. Reads the Python source recorded in the\n"
      "archive (or under --source-root), aligns with a scripted\n"
      "--reference, and with --inputs runs both on variants of the inputs to prove a\n"
      "divergence with a saved counterexample. With --reference and no --inputs, the\n"
      "probes use the example inputs the archive stores (torch 2.x), else seeded random\n"
      "inputs shaped from what it records (the ops that consume each input). --no-source\n"
      "audits from the IR alone. Checks: docs/checks/.\n"
      "\n"
      "Verdict: lossy (a warning or error), unverified (part of the traced code could\n"
      "not be checked from its source, nothing found lost), or clean. Exit status: 1\n"
      "when a finding reaches --fail-on; an unverified verdict exits 0 unless\n"
      "--unverified fail (or --fail-on note, which its notes reach); 2 usage; 3\n"
      "unreadable input.";
  std::string model_path;
  AuditOptions options;
  options.probe_inputs = ProbeInputSource::kGivenOrDerived;
  FormatFlag format_flag;
  FailOnFlag fail_on_flag;
  std::string unverified_name;
  syntax.arguments.add_options()("model", po::value(&model_path)->required(), "traced TorchScript file (.pt)");
  syntax.options.add_options()
      ("reference,r", po::value(&options.reference), "scripted export of the same model")
      ("inputs,i", po::value(&options.inputs)->multitoken(), "torch.save'd example inputs (needs --reference)")
      ("probe", po::value(&options.probes)->default_value(9), "input variants to try per input set")
      ("probe-budget", po::value(&options.probe_budget_s), "stop starting probes after SECONDS (those not run are listed)")
      ("source-root,s", po::value(&options.source_roots)->multitoken(), "folder holding the model's Python sources")
      ("device,d", po::value(&options.device)->default_value("cpu"), "run the probes there: cpu or cuda[:N]")
      ("no-source", po::bool_switch(&options.no_source), "audit from the IR only, as if the Python source were gone")
      ("counterexample-dir", po::value(&options.counterexample_dir)->default_value("."), "where counterexamples are saved")
      ("unverified", po::value(&unverified_name)->default_value("pass"),
       "exit status of an unverified verdict: pass (0) or fail (1)");
  format_flag.declare(syntax.options, {OutputFormat::kText, OutputFormat::kJson, OutputFormat::kSarif, OutputFormat::kJunit});
  fail_on_flag.declare(syntax.options);
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);
  const OutputFormat format = format_flag.read();
  const Severity fail_on = fail_on_flag.read();
  if (options.device != "cpu" && options.inputs.empty()) {
    throw UsageError("--device runs the probes there, so it needs --reference and --inputs");
  }
  (void)parseDevice(options.device);  // no CUDA here: check's usage error, before any work
  const UnverifiedPolicy unverified = parseUnverified(unverified_name);
  if (!options.inputs.empty() && options.reference.empty()) {
    throw UsageError("--inputs needs --reference: the probes compare the trace with a scripted export");
  }

  if (options.probe_budget_s < 0) throw UsageError("--probe-budget takes seconds, 0 or more (0: no bound)");
  SessionCache sessions(flagAdvice);  // the model and its --reference, each loaded once
  ProgressLine progress(stderr, isatty(2));
  options.progress = [&progress](const std::string& text) { progress.update(text); };
  const AuditReport& report = sessions.session(model_path).audit(options);
  progress.done();
  switch (format) {
    case OutputFormat::kText: writeOutput(renderAuditText(report, ctx.diagnostics.useColor() && isatty(1))); break;
    case OutputFormat::kJson: writeOutput(renderAuditJson(report)); break;
    case OutputFormat::kSarif: writeOutput(renderAuditSarif(report)); break;
    case OutputFormat::kJunit: writeOutput(renderAuditJunit(report, fail_on, unverified)); break;
  }
  return toInt(report.fails(fail_on, unverified) ? ExitCode::kFindings : ExitCode::kOk);
}

}  // namespace jitscope::cli
