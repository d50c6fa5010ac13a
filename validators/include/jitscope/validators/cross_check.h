// `jitscope check`: does the exported model compute what it should? Runs a
// model on input sets and compares its outputs with a reference: the same
// model on another device (CPU vs CUDA), another export (--against), or
// saved outputs (--expected). With localize, both sides are also run with
// every tensor intermediate of the inlined graph captured, to name the first
// node whose value diverges.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "jitscope/inspector/model_inputs.h"
#include "jitscope/validators/check_report.h"
#include "jitscope/validators/output_compare.h"

namespace jitscope {

struct LoadedModel;

struct CheckOptions {
  std::string model;                        ///< the model under test (the "actual" side)
  std::string method = "forward";
  /// Reference model (the "expected" side); empty: `model` itself.
  std::string against;
  /// Saved outputs as the expected side: one file per input set, or one
  /// file holding a tuple with one entry per set (what --save-outputs writes).
  std::vector<std::string> expected_files;
  /// One device: both sides run there. Two ("cpu", "cuda"): the expected
  /// side runs on the first, the actual side on the second.
  std::vector<std::string> devices = {"cpu"};
  /// Casts the actual side (floating parameters and inputs) to this dtype,
  /// e.g. float16 on CUDA; outputs are then compared in float64 with the
  /// looser dtype's tolerance.
  std::optional<c10::ScalarType> dtype;
  std::vector<std::string> input_files;
  std::vector<ShapeSpec> shapes;
  uint64_t seed = 0;
  size_t generated_sets = 1;  ///< input sets from --shape, seeds seed, seed+1, ...
  CompareOptions compare;
  bool localize = false;
  /// Where the actual side's outputs are written (torch.load reads them).
  std::string save_outputs;
};

/// "cpu", "cuda", "cuda:1" as a device; UsageError for unknown devices and
/// for CUDA on a machine (or LibTorch build) without it.
c10::Device parseDevice(const std::string& name);

/// Models a caller already loaded (the model session's cache, session/),
/// by path: given `options.model` or `options.against`, the loaded model
/// or nullptr. A side that runs on the CPU in its saved dtype uses it as
/// is (nothing moves or casts it); a side on another device or cast to
/// --dtype loads its own copy, since placing it would change the shared one.
using LoadedModelLookup = std::function<const LoadedModel*(const std::string& path)>;

/// Runs the check. Throws UsageError for impossible requests (no CUDA,
/// nothing to compare with) and InputError for files that do not fit
/// (inputs for another signature, a model that fails on the inputs).
/// Without `loaded` (or where it returns nullptr) each side loads its file.
CheckReport crossCheck(const CheckOptions& options, const LoadedModelLookup& loaded = {});

}  // namespace jitscope
