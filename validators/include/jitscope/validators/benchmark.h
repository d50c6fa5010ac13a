// Timing a model's forward the way a "native vs TorchScript" comparison
// should: warm-up runs excluded (the profiling executor optimizes during
// the first runs), gradients off, CUDA timed between synchronisations, and
// the distribution reported (median, p10/p90, mean), not one number. The
// variants are the same model as loaded, frozen, and optimized with the
// inference preset, measured side by side in one process.
#pragma once

#include <string>
#include <vector>

namespace c10 {
struct IValue;
}
namespace torch::jit {
struct Module;
}

namespace jitscope {

enum class BenchDevice { kCpu, kCuda };

enum class BenchVariant {
  kRaw,     ///< as loaded
  kFrozen,  ///< torch::jit::freeze of the eval-mode module (with its frozen optimizations)
  kOpt,     ///< the `inference` preset of `jitscope opt`
};

/// "raw", "frozen", "opt"; parseBenchVariant throws UsageError for others.
std::string toString(BenchVariant variant);
BenchVariant parseBenchVariant(const std::string& name);

struct BenchOptions {
  BenchDevice device = BenchDevice::kCpu;
  std::vector<BenchVariant> variants = {BenchVariant::kRaw, BenchVariant::kFrozen, BenchVariant::kOpt};
  size_t warmup = 10;
  size_t iterations = 50;
  int threads = 0;  ///< intra-op threads; 0 keeps LibTorch's default
  std::string model_path;  ///< named in errors
};

/// One variant's timings, in milliseconds per forward call.
struct VariantTiming {
  std::string variant;
  double prepare_seconds = 0;  ///< freezing / optimizing the variant
  size_t nodes = 0;            ///< nodes of the inlined forward graph
  double median_ms = 0;
  double p10_ms = 0;
  double p90_ms = 0;
  double mean_ms = 0;
  double min_ms = 0;
  double max_ms = 0;
  double iterations_per_second = 0;  ///< 1000 / median_ms
};

struct BenchReport {
  std::string model;
  std::string device;        ///< "cpu" or "cuda"
  std::string torch_version; ///< the LibTorch linked
  int threads = 0;           ///< intra-op threads used
  size_t warmup = 0;
  size_t iterations = 0;
  std::string inputs;        ///< where the inputs came from
  std::vector<VariantTiming> variants;
};

/// True when this LibTorch has CUDA and a GPU is visible.
bool cudaAvailable();

/// Times `module.forward(args)` for each variant. Throws UsageError for
/// --device cuda without CUDA, InputError when the model fails on `args`.
BenchReport benchmarkModel(const torch::jit::Module& module, const std::vector<c10::IValue>& args,
                           const BenchOptions& options);

}  // namespace jitscope
