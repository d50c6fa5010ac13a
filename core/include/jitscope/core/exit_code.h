// Process exit codes: a contract with CI systems (see docs/exit-codes.md).
#pragma once

namespace jitscope {

/// What a `jitscope` run tells its caller through the exit status.
enum class ExitCode : int {
  kOk = 0,        ///< ran, nothing at or above the requested severity
  kFindings = 1,  ///< findings or mismatches at or above the severity
  kUsage = 2,     ///< bad command line: unknown option, pass or format
  kBadInput = 3,  ///< the model or an input file is unreadable or invalid
};

inline int toInt(ExitCode code) { return static_cast<int>(code); }

}  // namespace jitscope
