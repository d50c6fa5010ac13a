// jitscope opt MODEL (--passes a,b,c | --preset NAME) [-o OUT.pt] [--method NAME ...]
//              [--print-ir-after NAME ... | --print-ir-after-all | --print-ir-after-change]
//              [--verify INPUTS.pt | --bisect INPUTS.pt [--rtol X] [--atol X]] [--format text|json]
//
// Option parsing; the pipeline, the output check and the save are
// session/model_optimization.h's.
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line.h"
#include "option_groups.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/passes/registry.h"
#include "jitscope/report/output_format.h"
#include "jitscope/session/model_optimization.h"

namespace jitscope::cli {
namespace {

// "--passes a,b --passes c" -> a, b, c (empty names skipped).
std::vector<std::string> splitList(const std::vector<std::string>& values) {
  std::vector<std::string> items;
  for (const auto& value : values) {
    for (auto& item : splitCommas(value)) {
      if (!item.empty()) items.push_back(std::move(item));
    }
  }
  return items;
}

}  // namespace

int runOpt(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage =
      "MODEL (--passes a,b,c | --preset NAME) [-o OUT.pt] [--method NAME ...]\n"
      "                    [--print-ir-after NAME ... | --print-ir-after-all | --print-ir-after-change]\n"
      "                    [--verify INPUTS.pt | --bisect INPUTS.pt] [--rtol X] [--atol X] [--format text|json]";
  syntax.description =
      "Run LibTorch's graph passes on a model, in the order given, and report what\n"
      "each changed: nodes before and after, op kinds that appeared or vanished,\n"
      "time. -o saves the result (it loads again in Python and C++). Presets:\n"
      "'inference' (eval, freeze, folding, cleanup), 'mobile' (plus XNNPACK\n"
      "prepacking), 'cleanup' (no freezing). 'jitscope passes' lists the passes.\n"
      "--verify runs the original and the result on torch.save'd inputs and fails\n"
      "(exit 1, nothing written) when outputs differ beyond the tolerance (default:\n"
      "torch.testing.assert_close's for the dtype); --bisect checks after every pass\n"
      "and names the first that changes the outputs.";
  std::string model_path;
  PassChoiceFlags pass_choice;
  std::string output;
  std::vector<std::string> methods;
  std::vector<std::string> print_after;
  FormatFlag format_flag;
  ToleranceFlags tolerance;
  std::string verify_inputs;
  std::string bisect_inputs;
  syntax.arguments.add_options()("model", po::value(&model_path)->required(), "TorchScript file (.pt)");
  syntax.options.add_options()
      ("output,o", po::value(&output), "save the optimized module here")
      ("method,m", po::value(&methods)->multitoken(), "root methods graph passes act on (default: all)")
      ("print-ir-after", po::value(&print_after)->multitoken(), "print the IR after these passes")
      ("print-ir-after-all", po::bool_switch(), "print the IR after every pass")
      ("print-ir-after-change", po::bool_switch(), "print the IR after every pass that changed it")
      ("verify", po::value(&verify_inputs), "compare outputs of original and result on these inputs")
      ("bisect", po::value(&bisect_inputs), "compare after each pass; name the first that changes outputs");
  pass_choice.declare(syntax.options, /*default_preset=*/"");
  tolerance.declare(syntax.options, "for --verify/--bisect");
  format_flag.declare(syntax.options, {OutputFormat::kText, OutputFormat::kJson});
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);
  const OutputFormat format = format_flag.read();

  // Everything about the command line is checked before the model is read.
  OptimizationRequest request;
  const PassChoice choice = pass_choice.read(*vm);
  request.pipeline = choice.pipeline;
  request.passes = choice.passes;
  print_after = splitList(print_after);
  for (auto& name : print_after) {
    const PassInfo* pass = resolvePasses({name}).front();
    name = pass->name;
    if (std::find(choice.passes.begin(), choice.passes.end(), pass) == choice.passes.end()) {
      throw UsageError(fmt::format("--print-ir-after names '{}', which the pipeline does not run", name));
    }
  }
  const bool all = (*vm)["print-ir-after-all"].as<bool>();
  const bool changed = (*vm)["print-ir-after-change"].as<bool>();
  if (static_cast<int>(!print_after.empty()) + all + changed > 1) {
    throw UsageError("use one of --print-ir-after, --print-ir-after-all and --print-ir-after-change");
  }
  if (!verify_inputs.empty() && !bisect_inputs.empty()) throw UsageError("use one of --verify and --bisect");
  tolerance.read();
  tolerance.applyTo(request.compare.tolerance);
  if (tolerance.given() && verify_inputs.empty() && bisect_inputs.empty()) {
    throw UsageError("--rtol and --atol apply to --verify or --bisect");
  }
  request.options.methods = methods;
  if (!print_after.empty() || all || changed) {
    const IrPrintWhen when = !print_after.empty() ? IrPrintWhen::kNamed : all ? IrPrintWhen::kAll : IrPrintWhen::kChanged;
    request.options.after_pass.push_back(printIrAfter(when, print_after, writeOutput));
  }
  request.check_inputs = verify_inputs.empty() ? bisect_inputs : verify_inputs;
  request.check = verify_inputs.empty() ? OutputCheck::kBisect : OutputCheck::kVerify;
  request.output = output;

  ModelSession session(model_path);
  const OptSummary summary = optimizeModel(session, request);
  const bool outputs_differ = summary.check_mode && !summary.checked.ok();
  if (outputs_differ && !output.empty()) {
    ctx.diagnostics.error(fmt::format("outputs differ beyond the tolerance; '{}' not written", output));
  }
  writeOutput(format == OutputFormat::kJson ? renderOptJson(summary) : renderOptText(summary));
  return toInt(outputs_differ ? ExitCode::kFindings : ExitCode::kOk);
}

}  // namespace jitscope::cli
