// Running a pass pipeline while checking the model's outputs: --verify
// compares the result with the original on given inputs; --bisect compares
// after every pass and names the first pass that moved the outputs beyond
// the tolerance.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "jitscope/passes/pipeline.h"
#include "jitscope/validators/output_compare.h"

namespace jitscope {

struct InputSet;

enum class OutputCheck {
  kVerify,  ///< compare once, after the last pass
  kBisect,  ///< compare after each pass until one differs
};

/// The outputs after one pass against the original's.
struct PassOutputs {
  std::string pass;
  OutputComparison comparison;
};

struct CheckedPipeline {
  PipelineReport report;
  std::string inputs;  ///< the input set's label
  /// kVerify: one entry, after the last pass. kBisect: one per pass, up to
  /// and including the first that differs.
  std::vector<PassOutputs> checks;
  std::optional<size_t> first_difference;  ///< index into checks
  bool ok() const { return !first_difference.has_value(); }
};

/// Runs the original (in eval mode, so dropout does not make runs differ)
/// on `inputs`, then the pipeline on `module`, comparing as `mode` says.
/// Each check runs the method's current graph in a fresh function, so no
/// executor compiled before a pass is reused after it.
CheckedPipeline runCheckedPipeline(torch::jit::Module& module, const std::vector<const PassInfo*>& passes,
                                   PipelineOptions options, const InputSet& inputs,
                                   const CompareOptions& compare, OutputCheck mode);

}  // namespace jitscope
