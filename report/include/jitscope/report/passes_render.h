// Text and JSON for `jitscope passes` (the registry) and `jitscope opt` (a
// pipeline run with its per-pass statistics).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "jitscope/passes/pipeline.h"
#include "jitscope/passes/registry.h"
#include "jitscope/validators/pass_check.h"

namespace jitscope {

std::string renderPassListText(const std::vector<PassInfo>& passes, const std::vector<Preset>& presets);
std::string renderPassListJson(const std::vector<PassInfo>& passes, const std::vector<Preset>& presets);

/// What `opt` did: the model, where the result went, the pipeline report
/// and, with --verify or --bisect, the output checks.
struct OptSummary {
  std::string model;
  std::string output;  ///< empty when nothing was written
  std::string pipeline;  ///< "preset inference" or "passes dce,cse"
  PipelineReport report;
  std::optional<OutputCheck> check_mode;
  CheckedPipeline checked;  ///< filled when check_mode is set (its report unused)
};

std::string renderOptText(const OptSummary& summary);
std::string renderOptJson(const OptSummary& summary);

}  // namespace jitscope
