// `jitscope ci`'s configuration file (TOML, read with toml++) into the
// CiConfig data of session/ci_config.h. Format: docs/commands/ci.md.
#pragma once

#include <string>

#include "jitscope/session/ci_config.h"

namespace jitscope::cli {

/// Reads `path`; throws InputError (exit 3) naming the line of a syntax
/// error, an unknown key (with a suggestion) or a missing required key.
CiConfig readCiConfig(const std::string& path);

}  // namespace jitscope::cli
