// See model_optimization.h.
#include "jitscope/session/model_optimization.h"

#include "jitscope/inspector/model.h"
#include "jitscope/inspector/model_inputs.h"

namespace jitscope {

OptSummary optimizeModel(ModelSession& session, const OptimizationRequest& request) {
  LoadedModel& model = session.modelToChange();
  PipelineOptions options = request.options;
  options.model_path = session.path();
  OptSummary summary;
  summary.model = session.path();
  summary.pipeline = request.pipeline;
  if (request.check_inputs.empty()) {
    summary.report = runPipeline(*model.module, request.passes, options);
  } else {
    const InputSet inputs = readInputFile(request.check_inputs, *model.module);
    summary.check_mode = request.check;
    summary.checked = runCheckedPipeline(*model.module, request.passes, options, inputs, request.compare, request.check);
    summary.report = summary.checked.report;
  }
  const bool outputs_differ = summary.check_mode && !summary.checked.ok();
  if (!outputs_differ && !request.output.empty()) {
    saveModel(*model.module, request.output);
    summary.output = request.output;
  }
  return summary;
}

}  // namespace jitscope
