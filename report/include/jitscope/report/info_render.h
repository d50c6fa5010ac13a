// Renderers for `jitscope info`.
#pragma once

#include <string>

#include "jitscope/inspector/module_info.h"
#include "jitscope/report/output_format.h"

namespace jitscope {

/// Aligned, scannable text in the manner of llvm-readobj.
std::string renderInfoText(const ModuleInfo& info);

/// JSON; keys are documented in docs/commands/info.md.
std::string renderInfoJson(const ModuleInfo& info);

inline std::string renderInfo(const ModuleInfo& info, OutputFormat format) {
  return format == OutputFormat::kJson ? renderInfoJson(info)
                                       : renderInfoText(info);
}

}  // namespace jitscope
