// Renderers for `jitscope compat`.
#pragma once

#include <string>

#include "jitscope/validators/compat.h"

namespace jitscope {

/// One line per problem, at its code location, then its fix indented.
std::string renderCompatText(const CompatReport& report);

/// JSON; keys are documented in docs/commands/compat.md.
std::string renderCompatJson(const CompatReport& report);

/// SARIF 2.1.0: one rule per problem kind; a result points at the user's
/// Python line where the debug info has it, else at the model file.
std::string renderCompatSarif(const CompatReport& report);

}  // namespace jitscope
