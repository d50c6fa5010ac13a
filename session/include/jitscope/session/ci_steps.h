// `jitscope ci`'s work below the command line: each model's steps (audit,
// snapshot diff, op allow-list, target, output check) on one session, the
// model's report page from the same results, and the parent's pool of
// isolated child processes that run them.
#pragma once

#include <string>
#include <vector>

#include "jitscope/session/ci_config.h"
#include "jitscope/session/model_session.h"
#include "jitscope/validators/ci_result.h"

namespace jitscope {

/// The child's work: every configured step of one model, in this process,
/// on `cache`'s session of the model (loaded once, whatever the steps), then
/// (with `report_dir`) the model's page from the same results.
CiModelResult runCiModel(const CiModelConfig& config, const std::string& report_dir, SessionCache& cache);

/// Each model in its own process (this binary again, with the hidden
/// `ci --config FILE --run-model NAME`), at most `jobs` at a time, under
/// IsolationLimits::ciDefaults(); a child that crashes, times out or fails
/// is an error result of its model.
std::vector<CiModelResult> runCiModels(const CiConfig& config, unsigned jobs, const std::string& report_dir);

/// The report page's file name of a model: "gate/v2" -> "gate_v2".
std::string reportPageName(const std::string& model_name);

/// `results` with each report page's path made relative to the folder of
/// `page` (the summary page, `ci --html`), so the two travel together as one
/// CI artifact.
std::vector<CiModelResult> reportsRelativeTo(std::vector<CiModelResult> results, const std::string& page);

}  // namespace jitscope
