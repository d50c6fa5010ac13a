// jitscope bench's measurements: every variant is timed, the statistics are
// consistent, and CUDA is used when asked for (skipped without a GPU) or
// refused with a usage error.
#include "jitscope/validators/benchmark.h"

#include <gtest/gtest.h>
#include <torch/csrc/jit/api/module.h>

#include <ATen/Parallel.h>

#include "fixtures.h"
#include "jitscope/core/errors.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/model_inputs.h"

namespace jitscope {
namespace {

BenchReport bench(const std::string& model, const std::string& inputs, BenchOptions options) {
  const LoadedModel loaded = loadModel(testing::fixture(model));
  const InputSet set = readInputFile(testing::fixture(inputs), *loaded.module);
  return benchmarkModel(*loaded.module, set.args, options);
}

TEST(Benchmark, TimesEveryVariantWithConsistentStatistics) {
  BenchOptions options;
  options.warmup = 2;
  options.iterations = 7;
  const int threads_before = at::get_num_threads();
  options.threads = 1;
  const BenchReport report = bench("bert_tiny.traced.pt", "inputs/bert_tiny.pt", options);
  at::set_num_threads(threads_before);
  EXPECT_EQ(report.threads, 1);
  EXPECT_EQ(report.device, "cpu");
  ASSERT_EQ(report.variants.size(), 3u);
  EXPECT_EQ(report.variants[0].variant, "raw");
  EXPECT_EQ(report.variants[1].variant, "frozen");
  EXPECT_EQ(report.variants[2].variant, "opt");
  for (const auto& v : report.variants) {
    EXPECT_GT(v.min_ms, 0) << v.variant;
    EXPECT_LE(v.min_ms, v.p10_ms) << v.variant;
    EXPECT_LE(v.p10_ms, v.median_ms) << v.variant;
    EXPECT_LE(v.median_ms, v.p90_ms) << v.variant;
    EXPECT_LE(v.p90_ms, v.max_ms) << v.variant;
    EXPECT_NEAR(v.iterations_per_second, 1000.0 / v.median_ms, 1e-6 * v.iterations_per_second);
  }
  // Freezing and the preset act on the variants: fewer nodes than as loaded.
  EXPECT_LT(report.variants[1].nodes, report.variants[0].nodes);
  EXPECT_LT(report.variants[2].nodes, report.variants[0].nodes);
}

TEST(Benchmark, CudaWithoutAGpuIsAUsageError) {
  if (cudaAvailable()) GTEST_SKIP() << "a GPU is visible; BenchmarkCuda covers it";
  BenchOptions options;
  options.device = BenchDevice::kCuda;
  EXPECT_THROW(bench("my_cell.traced.pt", "inputs/my_cell.pt", options), UsageError);
}

TEST(Benchmark, CudaRunsEveryVariantOnTheGpu) {
  if (!cudaAvailable()) GTEST_SKIP() << "no CUDA in this LibTorch or no GPU visible";
  BenchOptions options;
  options.device = BenchDevice::kCuda;
  options.warmup = 3;
  options.iterations = 5;
  const BenchReport report = bench("resnet18.traced.pt", "inputs/resnet18.pt", options);
  EXPECT_EQ(report.device, "cuda");
  ASSERT_EQ(report.variants.size(), 3u);
  for (const auto& v : report.variants) EXPECT_GT(v.median_ms, 0) << v.variant;
}

}  // namespace
}  // namespace jitscope
