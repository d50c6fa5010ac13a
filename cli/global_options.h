// The options before the command name, which apply to every command:
// --color, --isolate with its limits (--timeout, --max-memory), and
// --load-library, which may also stand after the command name.
#pragma once

#include <string>
#include <vector>

#include "jitscope/core/diagnostics.h"
#include "jitscope/core/isolation.h"

namespace jitscope::cli {

struct GlobalOptions {
  ColorMode color = ColorMode::kAuto;
  bool isolate = false;
  IsolationLimits limits;
  std::vector<std::string> libraries;  ///< --load-library, in order
};

/// Takes the global options off `args` (--load-library from anywhere before
/// a `--`, the others from the front). Throws UsageError.
GlobalOptions parseGlobalOptions(std::vector<std::string>& args);

}  // namespace jitscope::cli
