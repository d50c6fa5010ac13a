#include "jitscope/validators/benchmark.h"

#include <torch/csrc/api/include/torch/cuda.h>
#include <ATen/core/grad_mode.h>
#include <torch/csrc/jit/api/module.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <numeric>

#include <fmt/format.h>

#include "jitscope/core/errors.h"
#include "jitscope/core/torch_compat.h"
#include "jitscope/inspector/graph_stats.h"
#include "jitscope/inspector/model.h"
#include "jitscope/passes/pipeline.h"
#include "map_tensors.h"

namespace jitscope {
namespace {

using c10::IValue;
using torch::jit::Module;
using Clock = std::chrono::steady_clock;

// The quantile of sorted samples, interpolating between neighbours.
double quantile(const std::vector<double>& sorted, double q) {
  const double position = q * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(position);
  const size_t above = std::min(below + 1, sorted.size() - 1);
  const double weight = position - static_cast<double>(below);
  return sorted[below] * (1 - weight) + sorted[above] * weight;
}

Module prepare(const Module& loaded, BenchVariant variant, const c10::Device& device) {
  Module module = loaded.clone();
  module.to(device);
  if (variant == BenchVariant::kRaw) return module;
  if (variant == BenchVariant::kFrozen) {
    module.eval();
    return torch::jit::freeze(module);
  }
  const Preset* preset = findPreset("inference");
  PipelineOptions options;
  runPipeline(module, resolvePasses(preset->passes), options);
  return module;
}

// Note [Interleaved timing]
// The variants are timed in rounds, one call of each per round, not one
// variant after another: on a shared machine the load drifts over seconds,
// and timing variants back to back would charge that drift to whichever
// ran during the busy stretch.
std::vector<std::vector<double>> timeInterleaved(std::vector<Module>& modules, const std::vector<IValue>& args,
                                                 const BenchOptions& options) {
  const bool cuda = options.device == BenchDevice::kCuda;
  auto call = [&](Module& module) {
    std::vector<IValue> stack = args;
    module.forward(std::move(stack));
  };
  for (auto& module : modules) {
    for (size_t i = 0; i < options.warmup; ++i) call(module);
  }
  if (cuda) torch::cuda::synchronize();
  std::vector<std::vector<double>> samples(modules.size());
  for (size_t i = 0; i < options.iterations; ++i) {
    for (size_t v = 0; v < modules.size(); ++v) {
      const auto start = Clock::now();
      call(modules[v]);
      if (cuda) torch::cuda::synchronize();  // kernels are asynchronous
      const std::chrono::duration<double, std::milli> elapsed = Clock::now() - start;
      samples[v].push_back(elapsed.count());
    }
  }
  return samples;
}

VariantTiming summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  VariantTiming timing;
  timing.median_ms = quantile(samples, 0.5);
  timing.p10_ms = quantile(samples, 0.1);
  timing.p90_ms = quantile(samples, 0.9);
  timing.mean_ms = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(samples.size());
  timing.min_ms = samples.front();
  timing.max_ms = samples.back();
  timing.iterations_per_second = timing.median_ms > 0 ? 1000.0 / timing.median_ms : 0;
  return timing;
}

}  // namespace

std::string toString(BenchVariant variant) {
  switch (variant) {
    case BenchVariant::kRaw: return "raw";
    case BenchVariant::kFrozen: return "frozen";
    case BenchVariant::kOpt: return "opt";
  }
  return "?";
}

BenchVariant parseBenchVariant(const std::string& name) {
  for (const BenchVariant variant : {BenchVariant::kRaw, BenchVariant::kFrozen, BenchVariant::kOpt}) {
    if (toString(variant) == name) return variant;
  }
  throw UsageError(fmt::format("unknown variant '{}'; use raw, frozen or opt", name));
}

bool cudaAvailable() { return torch::cuda::is_available(); }

BenchReport benchmarkModel(const Module& loaded, const std::vector<IValue>& args, const BenchOptions& options) {
  if (options.iterations == 0) throw SettingError(Setting::kIterations, "", "must be at least 1");
  const bool cuda = options.device == BenchDevice::kCuda;
  if (cuda && !cudaAvailable()) {
    throw SettingError(Setting::kDevice, "cuda",
                       fmt::format("LibTorch {} here has no CUDA or sees no GPU", compat::torchVersion()), "use cpu");
  }
  if (options.threads > 0) at::set_num_threads(options.threads);
  const c10::Device device = cuda ? c10::Device(c10::kCUDA) : c10::Device(c10::kCPU);

  BenchReport report;
  report.device = cuda ? "cuda" : "cpu";
  report.torch_version = compat::torchVersion();
  report.threads = at::get_num_threads();
  report.warmup = options.warmup;
  report.iterations = options.iterations;
  std::vector<IValue> device_args;
  for (const auto& arg : args) {
    device_args.push_back(mapTensors(arg, [&device](const at::Tensor& t) { return t.to(device); }));
  }

  at::NoGradGuard no_grad;
  std::vector<Module> modules;
  std::vector<double> prepare_seconds;
  const BenchVariant* current = nullptr;
  try {
    for (const BenchVariant& variant : options.variants) {
      current = &variant;
      const auto start = Clock::now();
      modules.push_back(prepare(loaded, variant, device));
      prepare_seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    }
    current = nullptr;
    const auto samples = timeInterleaved(modules, device_args, options);
    for (size_t v = 0; v < modules.size(); ++v) {
      VariantTiming timing = summarize(samples[v]);
      timing.variant = toString(options.variants[v]);
      timing.prepare_seconds = prepare_seconds[v];
      timing.nodes = countOps(*methodGraph(modules[v], "forward", GraphForm::kInlined), "forward").nodes;
      report.variants.push_back(timing);
    }
  } catch (const std::exception& e) {
    const std::string what = current ? fmt::format("variant '{}' cannot be prepared", toString(*current))
                                     : std::string("the model fails on the inputs");
    // c10::Error puts the reason first; the TorchScript interpreter's error
    // (a JITException in LibTorch 2.x) puts the failing op's message last.
    const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
    throw InputError(options.model_path,
                     fmt::format("{}: {}", what,
                                 c10_error ? firstLine(c10_error->what_without_backtrace())
                                           : lastLine(e.what())));
  }
  return report;
}

}  // namespace jitscope
