// Running several child processes at once, at most N at a time: each one a
// command line whose stdout and stderr are kept in files and handed back
// when it ends. `jitscope ci` checks each model in such a child (this binary
// again); beside runIsolated (isolation.h), which forks one child for the
// work of this process.
#pragma once

#include <string>
#include <vector>

namespace jitscope {

/// How one process ended and what it wrote.
struct ProcessOutcome {
  bool exited = false;  ///< ended by exit (then exit_code), else by a signal
  int exit_code = 0;
  int signal = 0;
  std::string out;      ///< everything it wrote to stdout
  std::string err;      ///< everything it wrote to stderr
  double seconds = 0;   ///< from start to end
};

/// Runs `program` once per entry of `jobs` (each a full argv, argv[0]
/// included) with this process's environment, at most `parallel` at a time
/// (at least one), and returns the outcomes in the order of `jobs`. Output
/// goes through files in a private folder under /tmp, removed at the end.
/// Throws std::runtime_error when the folder or a process cannot be made.
std::vector<ProcessOutcome> runProcessPool(const std::string& program,
                                           const std::vector<std::vector<std::string>>& jobs, unsigned parallel);

/// The path of the running executable (/proc/self/exe).
std::string currentExecutable();

}  // namespace jitscope
