// How the command line words a failure, and its exit code: one place for
// the catch ladder `main` runs every command in (docs/exit-codes.md), and
// the one table of the flags that give the settings lower layers name
// (core/errors.h's Setting): their errors (SettingError, the output
// check's CheckRequestError) and their advice are worded here as flags.
// `jitscope ci` words the same errors as its TOML keys (ci_config.h).
#pragma once

#include <functional>
#include <string>

#include "jitscope/core/diagnostics.h"
#include "jitscope/core/errors.h"
#include "jitscope/validators/check_request.h"

namespace jitscope::cli {

/// The flag that gives `setting` ("--device").
std::string flagName(Setting setting);

/// The flag as advice shows it, with its placeholder where it has one
/// ("--source-root DIR", "--inputs"): the command line's SettingNames.
std::string flagAdvice(Setting setting);

/// "--device 'tpu': unknown device; use cpu or cuda[:N]".
std::string flagWording(const SettingError& error);

/// The check request's problem in the flags of `check` and `report`.
std::string flagWording(CheckRequestProblem problem);

/// Runs `run`, the command named `command` ("" or an unknown name before
/// dispatch), and maps every failure to one error line and its exit code:
/// UsageError 2 (a SettingError or CheckRequestError worded in flags; with
/// "see 'jitscope COMMAND --help'" after a known command's), InputError 3,
/// out of memory 3, anything else 3 as an unexpected failure naming the
/// file being read.
int runWordingFailures(const std::string& command, const std::function<int()>& run, Diagnostics& diagnostics);

}  // namespace jitscope::cli
