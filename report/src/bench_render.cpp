#include "jitscope/report/bench_render.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace jitscope {

std::string renderBenchText(const BenchReport& r) {
  std::string out = fmt::format("{}: {}, LibTorch {}, {} thread(s), {} warm-up + {} timed iterations, inputs {}\n",
                                r.model, r.device, r.torch_version, r.threads, r.warmup, r.iterations, r.inputs);
  out += fmt::format("{:<8} {:>10} {:>10} {:>10} {:>10} {:>9} {:>8} {:>6} {:>9}\n", "variant", "median ms",
                     "p10 ms", "p90 ms", "mean ms", "iter/s", "speedup", "nodes", "prepare s");
  const double base = r.variants.empty() ? 0 : r.variants.front().median_ms;
  for (const auto& v : r.variants) {
    out += fmt::format("{:<8} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f} {:>9.1f} {:>7.2f}x {:>6} {:>9.3f}\n", v.variant,
                       v.median_ms, v.p10_ms, v.p90_ms, v.mean_ms, v.iterations_per_second,
                       v.median_ms > 0 ? base / v.median_ms : 0.0, v.nodes, v.prepare_seconds);
  }
  if (r.variants.size() > 1) {
    out += fmt::format("speedup: median of '{}' / median of the variant\n", r.variants.front().variant);
  }
  return out;
}

std::string renderBenchJson(const BenchReport& r) {
  nlohmann::ordered_json out;
  out["model"] = r.model;
  out["device"] = r.device;
  out["torch"] = r.torch_version;
  out["threads"] = r.threads;
  out["warmup"] = r.warmup;
  out["iterations"] = r.iterations;
  out["inputs"] = r.inputs;
  nlohmann::ordered_json variants = nlohmann::ordered_json::array();
  for (const auto& v : r.variants) {
    variants.push_back({{"variant", v.variant},
                        {"median_ms", v.median_ms},
                        {"p10_ms", v.p10_ms},
                        {"p90_ms", v.p90_ms},
                        {"mean_ms", v.mean_ms},
                        {"min_ms", v.min_ms},
                        {"max_ms", v.max_ms},
                        {"iterations_per_second", v.iterations_per_second},
                        {"nodes", v.nodes},
                        {"prepare_seconds", v.prepare_seconds}});
  }
  out["variants"] = variants;
  return out.dump(2) + "\n";
}

}  // namespace jitscope
