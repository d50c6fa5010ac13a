// How the command line words a failure, and its exit code: one place for
// the catch ladder `main` runs every command in (docs/exit-codes.md).
#pragma once

#include <functional>
#include <string>

#include "jitscope/core/diagnostics.h"

namespace jitscope::cli {

/// Runs `run`, the command named `command` ("" or an unknown name before
/// dispatch), and maps every failure to one error line and its exit code:
/// UsageError 2 (with "see 'jitscope COMMAND --help'" after a known
/// command's), InputError 3, out of memory 3, anything else 3 as an
/// unexpected failure naming the file being read.
int runWordingFailures(const std::string& command, const std::function<int()>& run, Diagnostics& diagnostics);

}  // namespace jitscope::cli
