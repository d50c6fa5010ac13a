// `jitscope opt`'s work on a model's session: run the pass pipeline on the
// session's module (which it changes), check the outputs against the
// original's when asked (verify once, or bisect after every pass), and save
// the result unless the outputs moved beyond the tolerance. The command line
// is cli/opt_command.cpp's; this reads none.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "jitscope/passes/pipeline.h"
#include "jitscope/report/passes_render.h"
#include "jitscope/session/model_session.h"
#include "jitscope/validators/output_compare.h"
#include "jitscope/validators/pass_check.h"

namespace jitscope {

struct PassInfo;

/// What to run and what to do with the result (options already checked).
struct OptimizationRequest {
  std::string pipeline;  ///< as the summary names it: "preset inference", "passes dce,cse"
  std::vector<const PassInfo*> passes;
  PipelineOptions options;          ///< methods, hooks (IR printing); model_path is the session's
  std::string check_inputs;         ///< torch.save'd inputs for `check`; "" for no output check
  OutputCheck check = OutputCheck::kVerify;
  CompareOptions compare;
  std::string output;               ///< save the result here; "" for nowhere
};

/// Runs `request` on the session's model. The summary's `output` is set only
/// when the result was written: with an output check that failed
/// (summary.check_mode and !summary.checked.ok()) nothing is.
OptSummary optimizeModel(ModelSession& session, const OptimizationRequest& request);

}  // namespace jitscope
