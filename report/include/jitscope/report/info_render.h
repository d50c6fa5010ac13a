// Renderers for `jitscope info`.
#pragma once

#include <string>

#include "jitscope/inspector/module_info.h"
#include "jitscope/inspector/requirements.h"
#include "jitscope/report/output_format.h"

namespace jitscope {

// `needs` is readRequirements(info.archive): kept out of ModuleInfo, which
// the audit, snapshot and report build too and none of them shows it.

/// Aligned, scannable text in the manner of llvm-readobj.
std::string renderInfoText(const ModuleInfo& info, const ModelRequirements& needs);

/// JSON; keys are documented in docs/commands/info.md.
std::string renderInfoJson(const ModuleInfo& info, const ModelRequirements& needs);

inline std::string renderInfo(const ModuleInfo& info, const ModelRequirements& needs, OutputFormat format) {
  return format == OutputFormat::kJson ? renderInfoJson(info, needs) : renderInfoText(info, needs);
}

}  // namespace jitscope
