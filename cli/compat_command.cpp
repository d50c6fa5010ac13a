// jitscope compat MODEL --target NAME|FILE [--device DEV] [--format text|json|sarif]
#include <string>

#include "command_line.h"
#include "option_groups.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/report/compat_render.h"
#include "jitscope/report/output_format.h"
#include "jitscope/validators/compat.h"

namespace jitscope::cli {

int runCompat(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage = "MODEL --target NAME|FILE [--runtime auto|full|lite] [--device DEV] [--format text|json|sarif]";
  syntax.description =
      "Say whether a model will load and run on a deploy target, before shipping it:\n"
      "the archive's format version, every operator call site against the target's\n"
      "schemas, operator namespaces (custom-op libraries), TorchBind classes,\n"
      "quantized engines and fixed devices. The model is read, never loaded, so this\n"
      "works on files this LibTorch cannot load. TARGET is a bundled table\n"
      "(libtorch-1.13, libtorch-2.11), a file written by `jitscope target-info` on\n"
      "the target, or a selective build's operator list (YAML). Libraries named with\n"
      "--load-library count as loaded on the target too. A lite-interpreter file\n"
      "(_save_for_lite_interpreter, .ptl) is checked as _load_for_mobile reads it: its\n"
      "bytecode version and each operator table's exact overloads (--runtime full\n"
      "checks it for torch::jit::load instead). Exit 1 when a problem is found.";
  std::string model_path;
  std::string target_name;
  std::string device;
  std::string runtime = "auto";
  FormatFlag format_flag;
  syntax.arguments.add_options()("model", po::value(&model_path)->required(), "TorchScript file (.pt)");
  syntax.options.add_options()
      ("target,t", po::value(&target_name)->required(), "bundled target name, target file, or operator list")
      ("runtime", po::value(&runtime), "the target's loader: auto (lite for a file with bytecode.pkl), full "
                                       "(torch::jit::load) or lite (_load_for_mobile)")
      ("device", po::value(&device), "device the model is served on there (cpu, cuda): checks fixed devices");
  format_flag.declare(syntax.options, {OutputFormat::kText, OutputFormat::kJson, OutputFormat::kSarif});
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);
  const OutputFormat format = format_flag.read();
  if (!device.empty() && device != "cpu" && device.rfind("cuda", 0) != 0) {
    throw UsageError("unknown --device '" + device + "'; use cpu or cuda");
  }

  const auto loader = parseCompatRuntime(runtime);
  if (!loader) throw UsageError("unknown --runtime '" + runtime + "'; use auto, full or lite");
  const CompatReport report = checkModelFile(model_path, target_name, CompatOptions{device, *loader});
  switch (format) {
    case OutputFormat::kText: writeOutput(renderCompatText(report)); break;
    case OutputFormat::kJson: writeOutput(renderCompatJson(report)); break;
    case OutputFormat::kSarif: writeOutput(renderCompatSarif(report)); break;
    case OutputFormat::kJunit: break;  // not allowed above
  }
  return toInt(report.ok() ? ExitCode::kOk : ExitCode::kFindings);
}

}  // namespace jitscope::cli
