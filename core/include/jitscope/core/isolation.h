// Running the work on an untrusted model in a child process with limits.
//
// LibTorch's loader was not written for hostile input: a crafted archive can
// crash it, make it allocate without bound, or (through a TorchScript
// __setstate__) loop forever. runIsolated() forks before any LibTorch work,
// applies setrlimit (address space, CPU time, file size) in the child and a
// wall-clock timeout in the parent, and turns every abnormal end of the
// child into one InputError line naming the file it was working on:
//   'm.pt': loading it crashed the loader (SIGSEGV); the file is malformed
//   'm.pt': loading it exceeded --max-memory 256 MiB
//   'm.pt': no result within --timeout 10 s (stopped); ...
// The child's stdout and stderr are held back and replayed only when it
// exits normally, so a crash never leaves half an output behind.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace jitscope {

struct IsolationLimits {
  /// Wall-clock seconds before the child is killed; 0 = no limit.
  double timeout_seconds = 0;
  /// RLIMIT_AS in bytes; 0 = no limit.
  uint64_t max_memory_bytes = 0;
  /// RLIMIT_CPU in seconds; 0 = the timeout rounded up plus one (or none).
  uint64_t max_cpu_seconds = 0;
  /// RLIMIT_FSIZE in bytes: no single output file may grow past it; 0 = none.
  uint64_t max_file_bytes = 0;

  /// What `jitscope ci` uses: 300 s, 8 GiB, outputs up to 1 GiB.
  static IsolationLimits ciDefaults();
};

/// This process's RLIMIT_AS in bytes (set by --max-memory or `ulimit -v`);
/// 0 when unlimited. CUDA's driver reserves far more address space than it
/// touches, so under a limit of a few GiB CUDA reports no device.
uint64_t addressSpaceLimit();

/// "4G", "512M", "64k", "1048576" -> bytes (binary units). Throws UsageError.
uint64_t parseSize(const std::string& text, const std::string& option);
/// 4294967296 -> "4 GiB".
std::string formatSize(uint64_t bytes);

/// Runs `body` (which returns an exit code and reports its own errors) in a
/// forked child under `limits` and returns its exit code. Throws InputError
/// when the child dies of a signal, hits a limit or the timeout. Inside an
/// isolated child, runs `body` directly (no nesting).
int runIsolated(const IsolationLimits& limits, const std::function<int()>& body);

/// Loaders call this before opening `path`, and inputLoaded() once it is
/// in memory: a crash is then reported against the right file and phase
/// (outside an isolated child, only lastInput() is kept).
void noteInput(const std::string& path);
void inputLoaded();
/// The path last given to noteInput (in any process), "" before the first:
/// names the file in an error nothing else translated.
const std::string& lastInput();

/// Inside an isolated child with a memory limit: "exceeded --max-memory
/// 4 GiB"; otherwise "ran out of memory". For reporting std::bad_alloc.
std::string outOfMemoryProblem();

/// TEST ONLY (tests/golden/isolation.test): make the isolated child fault
/// when it notes its first input, to prove the parent survives and reports.
/// `kind`: segv, abort, hang, alloc. Refused (UsageError) for other kinds.
void setTestOnlyFault(const std::string& kind);

}  // namespace jitscope
