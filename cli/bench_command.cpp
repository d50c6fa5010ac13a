// jitscope bench MODEL [--inputs FILE.pt | --shape SPEC ...] [--device cpu|cuda]
//                [--variants raw,frozen,opt] [--warmup N] [--iters N] [--threads N]
//                [--format text|json]
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line.h"
#include "option_groups.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/inspector/model_inputs.h"
#include "jitscope/report/bench_render.h"
#include "jitscope/report/output_format.h"
#include "jitscope/session/model_session.h"
#include "jitscope/validators/benchmark.h"

namespace jitscope::cli {

int runBench(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage =
      "MODEL [--inputs FILE.pt | --shape SPEC ...] [--device cpu|cuda] [--variants raw,frozen,opt]\n"
      "                      [--warmup N] [--iters N] [--threads N] [--format text|json]";
  syntax.description =
      "Time the model's forward as loaded (raw), frozen (torch.jit.freeze) and\n"
      "optimized with 'opt --preset inference', side by side in one process.\n"
      "Warm-up runs are excluded, gradients are off, CUDA is timed between\n"
      "synchronisations; reports median, p10/p90, mean and iterations per second.\n"
      "Inputs: a torch.save'd file, or random tensors from --shape 1x3x224x224[:float32].";
  std::string model_path;
  std::string inputs_path;
  std::vector<std::string> shapes;
  std::string device_name;
  std::string variant_list;
  BenchOptions options;
  uint64_t seed = 0;
  FormatFlag format_flag;
  syntax.arguments.add_options()("model", po::value(&model_path)->required(), "TorchScript file (.pt)");
  syntax.options.add_options()
      ("inputs,i", po::value(&inputs_path), "torch.save'd inputs (a tensor, tuple or dict)")
      ("shape", po::value(&shapes)->multitoken(), "generate a random input: 2x3x224x224[:dtype][[low,high)]")
      ("seed", po::value(&seed)->default_value(0), "seed for --shape inputs")
      ("device", po::value(&device_name)->default_value("cpu"), "cpu or cuda")
      ("variants", po::value(&variant_list)->default_value("raw,frozen,opt"), "comma-separated: raw, frozen, opt")
      ("warmup", po::value(&options.warmup)->default_value(10), "untimed runs first")
      ("iters", po::value(&options.iterations)->default_value(50), "timed runs")
      ("threads", po::value(&options.threads)->default_value(0), "intra-op threads (0: LibTorch's default)");
  format_flag.declare(syntax.options, {OutputFormat::kText, OutputFormat::kJson});
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);
  const OutputFormat format = format_flag.read();
  if (device_name == "cuda") {
    options.device = BenchDevice::kCuda;
  } else if (device_name != "cpu") {
    throw UsageError(fmt::format("unknown --device '{}'; use cpu or cuda", device_name));
  }
  options.variants.clear();
  for (size_t start = 0; start <= variant_list.size();) {
    const size_t comma = std::min(variant_list.find(',', start), variant_list.size());
    if (comma > start) options.variants.push_back(parseBenchVariant(variant_list.substr(start, comma - start)));
    start = comma + 1;
  }
  if (options.variants.empty()) throw UsageError("--variants names no variant");
  if (inputs_path.empty() == shapes.empty()) {
    throw UsageError("give the inputs: --inputs FILE.pt or --shape SPEC (one per argument)");
  }
  std::vector<ShapeSpec> specs;
  for (const auto& text : shapes) specs.push_back(parseShapeSpec(text));
  if (options.device == BenchDevice::kCuda && !cudaAvailable()) {
    throw UsageError("--device cuda: this LibTorch has no CUDA or sees no GPU; use --device cpu");
  }
  options.model_path = model_path;

  ModelSession session(model_path);
  const LoadedModel& model = session.model();  // benchmarkModel works on clones
  const InputSet inputs = specs.empty() ? readInputFile(inputs_path, *model.module)
                                        : generateInputs(specs, *model.module, "forward", seed);
  BenchReport report = benchmarkModel(*model.module, inputs.args, options);
  report.model = model_path;
  report.inputs = inputs.label;
  writeOutput(format == OutputFormat::kJson ? renderBenchJson(report) : renderBenchText(report));
  return toInt(ExitCode::kOk);
}

}  // namespace jitscope::cli
