// jitscope check MODEL (--expected OUTPUTS.pt | --against OTHER.pt | --device cpu,cuda)
//                      (--inputs FILE.pt ... | --shape SPEC ...) [--localize] [--rtol R] [--atol A]
//                      [--tolerance OUTPUT=RTOL,ATOL ...] [--dtype float16] [--save-outputs FILE.pt]
//                      [--format text|json|junit] [--timing]
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line.h"
#include "option_groups.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/report/check_render.h"
#include "jitscope/session/model_session.h"
#include "jitscope/validators/cross_check.h"

namespace jitscope::cli {
namespace {

double parseNumber(const std::string& text, const std::string& what) {
  if (auto value = toleranceNamed(text)) return *value;
  throw UsageError(fmt::format("cannot read {} '{}'; give a number >= 0, e.g. 1e-4", what, text));
}

// OUTPUT=RTOL,ATOL
std::pair<std::string, Tolerance> parseOverride(const std::string& text) {
  const size_t eq = text.rfind('=');
  const auto numbers = eq == std::string::npos ? std::vector<std::string>{} : splitCommas(text.substr(eq + 1));
  if (eq == std::string::npos || eq == 0 || numbers.size() != 2) {
    throw UsageError(fmt::format("cannot read --tolerance '{}'; use OUTPUT=RTOL,ATOL, e.g. "
                                 "'output[0]=1e-3,1e-5' or logits=1e-3,1e-5",
                                 text));
  }
  return {text.substr(0, eq), {parseNumber(numbers[0], "rtol"), parseNumber(numbers[1], "atol")}};
}

}  // namespace

int runCheck(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage =
      "MODEL (--expected OUTPUTS.pt | --against OTHER.pt | --device cpu,cuda)\n"
      "                      (--inputs FILE.pt ... | --shape SPEC ...) [--localize] [--rtol R] [--atol A]\n"
      "                      [--format text|json|junit]";
  syntax.description =
      "Check that MODEL computes what it should: run it on the inputs and compare its\n"
      "outputs (tensors, tuples, lists, dicts) with saved --expected outputs, with\n"
      "another export (--against), or with itself on another device (--device cpu,cuda),\n"
      "within a tolerance that suits each output's dtype. --localize runs both sides with\n"
      "every intermediate captured and names the first node that diverges. Exit 0 when\n"
      "all outputs are within tolerance, 1 on a mismatch, 3 for inputs that do not fit.\n"
      "--shape SPEC: [NAME=]SIZES[:DTYPE][[LOW,HIGH)], e.g. 1x3x224x224:float32 or\n"
      "ids=1x128:int64[0,30522). See docs/commands/check.md.";
  std::string model_path;
  CheckOptions options;
  std::string devices = "cpu";
  std::string dtype_name;
  std::vector<std::string> shapes;
  std::vector<std::string> overrides;
  ToleranceFlags tolerance;
  FormatFlag format_flag;
  syntax.arguments.add_options()("model", po::value(&model_path)->required(), "TorchScript file (.pt) under test");
  syntax.options.add_options()
      ("expected,e", po::value(&options.expected_files)->multitoken(), "torch.save'd expected outputs, one per input set")
      ("against,a", po::value(&options.against), "another export to compare with (the expected side)")
      ("device,d", po::value(&devices)->default_value("cpu"), "DEVICE or EXPECTED,ACTUAL, e.g. cpu,cuda")
      ("dtype", po::value(&dtype_name), "run the actual side in this dtype (float16, bfloat16, float64)")
      ("inputs,i", po::value(&options.input_files)->multitoken(), "torch.save'd inputs: one file per input set")
      ("shape", po::value(&shapes)->multitoken(), "generate inputs: [NAME=]SIZES[:DTYPE][[LOW,HIGH)], one per argument")
      ("seed", po::value(&options.seed)->default_value(0), "seed of the generated inputs")
      ("sets", po::value(&options.generated_sets)->default_value(1), "generated input sets (seeds seed, seed+1, ...)")
      ("method,m", po::value(&options.method)->default_value("forward"), "method to run")
      ("tolerance", po::value(&overrides)->multitoken(), "per-output OUTPUT=RTOL,ATOL, e.g. logits=1e-3,1e-5")
      ("localize", po::bool_switch(&options.localize), "name the first intermediate that diverges")
      ("save-outputs", po::value(&options.save_outputs), "write the actual outputs here (torch.load reads them)")
      ("timing", "print where the time went to stderr");
  tolerance.declare(syntax.options, "for every output");
  format_flag.declare(syntax.options, {OutputFormat::kText, OutputFormat::kJson, OutputFormat::kJunit});
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);
  const OutputFormat format = format_flag.read();
  options.model = model_path;
  options.devices = splitCommas(devices);
  if (!dtype_name.empty()) {
    options.dtype = parseDtypeName(dtype_name);
    if (!options.dtype || !c10::isFloatingType(*options.dtype)) {
      throw UsageError(fmt::format("unknown --dtype '{}'; use float16, bfloat16, float32 or float64", dtype_name));
    }
  }
  for (const auto& spec : shapes) options.shapes.push_back(parseShapeSpec(spec));
  tolerance.read();
  tolerance.applyTo(options.compare.tolerance);
  for (const auto& text : overrides) options.compare.tolerance.per_output.push_back(parseOverride(text));
  if (options.generated_sets == 0) throw UsageError("--sets must be at least 1");

  SessionCache sessions;  // a side that runs on the CPU in its saved dtype is read through its session
  const CheckReport report = crossCheck(options, sessions.lookup());
  switch (format) {
    case OutputFormat::kJunit: writeOutput(renderCheckJunit(report)); break;
    case OutputFormat::kJson: writeOutput(renderCheckJson(report)); break;
    default: writeOutput(renderCheckText(report)); break;
  }
  if (vm->count("timing")) fmt::print(stderr, "{}", renderCheckTiming(report));
  return toInt(report.ok ? ExitCode::kOk : ExitCode::kFindings);
}

}  // namespace jitscope::cli
