#include "jitscope/core/isolation.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "jitscope/core/cleanup.h"
#include "jitscope/core/errors.h"

namespace jitscope {
namespace {

// What the child tells the parent without a protocol: a page of shared
// memory, written before each risky step, read after the child is gone.
struct SharedState {
  char input[4096];
  volatile sig_atomic_t loaded;
};

SharedState* g_shared = nullptr;  // non-null only inside an isolated child
IsolationLimits g_child_limits;
std::string g_test_fault;

std::string signalName(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGABRT: return "SIGABRT";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    default: return fmt::format("signal {}", sig);
  }
}

void setLimit(int resource, uint64_t value) {
  if (value == 0) return;
  struct rlimit limit {};
  limit.rlim_cur = static_cast<rlim_t>(value);
  limit.rlim_max = static_cast<rlim_t>(value);
  ::setrlimit(resource, &limit);
}

// Reads what is available on `fd` into `out`; false at end of file.
bool drain(int fd, std::string& out) {
  char buffer[65536];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n > 0) {
    out.append(buffer, static_cast<size_t>(n));
    return true;
  }
  return n < 0 && (errno == EINTR || errno == EAGAIN);
}

void writeAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void runChild(const IsolationLimits& limits, const std::function<int()>& body, int out_fd,
                           int err_fd) {
  ::dup2(out_fd, STDOUT_FILENO);
  ::dup2(err_fd, STDERR_FILENO);
  ::close(out_fd);
  ::close(err_fd);
  setLimit(RLIMIT_AS, limits.max_memory_bytes);
  uint64_t cpu = limits.max_cpu_seconds;
  if (cpu == 0 && limits.timeout_seconds > 0) cpu = static_cast<uint64_t>(std::ceil(limits.timeout_seconds)) + 1;
  setLimit(RLIMIT_CPU, cpu);
  setLimit(RLIMIT_FSIZE, limits.max_file_bytes);
  setLimit(RLIMIT_CORE, 1);  // rlim 0 would be "no limit" in setLimit; 1 byte means no core
  g_child_limits = limits;
  int code = 3;
  try {
    code = body();
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "jitscope: error: %s\n", outOfMemoryProblem().c_str());
  } catch (...) {
    std::fprintf(stderr, "jitscope: error: unexpected failure in the isolated worker\n");
  }
  std::fflush(stdout);
  std::fflush(stderr);
  ::_exit(code);
}

}  // namespace

uint64_t addressSpaceLimit() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  return static_cast<uint64_t>(limit.rlim_cur);
}

IsolationLimits IsolationLimits::ciDefaults() {
  IsolationLimits limits;
  limits.timeout_seconds = 300;
  limits.max_memory_bytes = uint64_t{8} << 30;
  limits.max_file_bytes = uint64_t{1} << 30;
  return limits;
}

uint64_t parseSize(const std::string& text, const std::string& option) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string unit = text.substr(used);
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!unit.empty() && unit.back() == 'b') unit.pop_back();  // "4GB", "4GiB"
  if (unit.size() == 2 && unit[1] == 'i') unit.pop_back();
  const std::string units = "kmgt";
  double scale = 1;
  if (unit.size() == 1 && units.find(unit[0]) != std::string::npos) {
    scale = std::pow(1024.0, static_cast<double>(units.find(unit[0]) + 1));
  } else if (!unit.empty()) {
    used = 0;
  }
  if (used == 0 || !(value > 0) || value * scale > 1e18) {
    throw UsageError(fmt::format("{} '{}' is not a size; use e.g. 4G, 512M or a number of bytes", option, text));
  }
  return static_cast<uint64_t>(value * scale);
}

std::string formatSize(uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  double value = static_cast<double>(bytes);
  while (value >= 1024 && unit < 4 && std::fmod(value, 1024) == 0) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{} {}", value, units[unit]);
}

std::string outOfMemoryProblem() {
  if (g_shared && g_child_limits.max_memory_bytes > 0) {
    return fmt::format("exceeded --max-memory {}", formatSize(g_child_limits.max_memory_bytes));
  }
  return "ran out of memory";
}

void setTestOnlyFault(const std::string& kind) {
  if (kind != "segv" && kind != "abort" && kind != "hang" && kind != "alloc") {
    throw UsageError(fmt::format("unknown test fault '{}'; use segv, abort, hang or alloc", kind));
  }
  g_test_fault = kind;
}

std::string& lastInputSlot() {
  static std::string path;
  return path;
}

const std::string& lastInput() { return lastInputSlot(); }

void noteInput(const std::string& path) {
  lastInputSlot() = path;
  if (!g_shared) return;
  const size_t n = std::min(path.size(), sizeof g_shared->input - 1);
  std::memcpy(g_shared->input, path.data(), n);
  g_shared->input[n] = '\0';
  g_shared->loaded = 0;
  if (g_test_fault == "segv") {
    std::raise(SIGSEGV);
  } else if (g_test_fault == "abort") {
    std::abort();
  } else if (g_test_fault == "hang") {
    while (true) std::this_thread::sleep_for(std::chrono::seconds(1));
  } else if (g_test_fault == "alloc") {
    std::vector<std::vector<char>> hog;
    while (true) hog.emplace_back(size_t{64} << 20, '\1');  // throws std::bad_alloc at RLIMIT_AS
  }
}

void inputLoaded() {
  if (g_shared) g_shared->loaded = 1;
}

int runIsolated(const IsolationLimits& limits, const std::function<int()>& body) {
  if (g_shared) return body();
  if (!g_test_fault.empty() && limits.timeout_seconds <= 0 && g_test_fault == "hang") {
    throw UsageError("the test fault 'hang' needs --timeout");
  }
  auto* shared = static_cast<SharedState*>(
      ::mmap(nullptr, sizeof(SharedState), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  if (shared == MAP_FAILED) throw std::runtime_error("cannot map memory for the isolated worker");
  shared->input[0] = '\0';
  shared->loaded = 0;
  cleanup::shareWithChildren();
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("cannot create pipes: ") + std::strerror(errno));
  }
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) throw std::runtime_error(std::string("cannot fork: ") + std::strerror(errno));
  if (child == 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    g_shared = shared;
    runChild(limits, body, out_pipe[1], err_pipe[1]);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);

  using Clock = std::chrono::steady_clock;
  const auto deadline =
      Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(limits.timeout_seconds * 1000));
  std::string out, err;
  bool out_open = true, err_open = true, timed_out = false;
  while (out_open || err_open) {
    int wait_ms = -1;
    if (limits.timeout_seconds > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        timed_out = true;
        ::kill(child, SIGKILL);
        break;
      }
      wait_ms = static_cast<int>(std::min<int64_t>(left, 1000));
    }
    struct pollfd fds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0}, {err_open ? err_pipe[0] : -1, POLLIN, 0}};
    if (::poll(fds, 2, wait_ms) < 0 && errno != EINTR) break;
    if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) out_open = drain(out_pipe[0], out);
    if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) err_open = drain(err_pipe[0], err);
  }
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  const std::string input = shared->input[0] ? shared->input : "(no model opened yet)";
  const bool loaded = shared->loaded != 0;
  ::munmap(shared, sizeof(SharedState));

  if (!timed_out && WIFEXITED(status)) {
    writeAll(STDOUT_FILENO, out);
    writeAll(STDERR_FILENO, err);
    return WEXITSTATUS(status);
  }
  // The child could not clean up after itself: remove its temporary files.
  cleanup::unlinkTracked();
  const std::string doing = loaded ? "working on it" : "loading it";
  if (timed_out) {
    throw InputError(input, fmt::format("{} gave no result within --timeout {} s (stopped); the file may be "
                                        "crafted to hang the loader",
                                        doing, limits.timeout_seconds));
  }
  const int sig = WTERMSIG(status);
  if (sig == SIGXCPU || (sig == SIGKILL && limits.max_cpu_seconds > 0)) {
    throw InputError(input, fmt::format("{} exceeded the CPU-time limit; the file may be crafted to hang the "
                                        "loader",
                                        doing));
  }
  if (sig == SIGXFSZ) {
    throw InputError(input, fmt::format("{} wrote an output file larger than {}", doing,
                                        formatSize(limits.max_file_bytes)));
  }
  const std::string memory_hint =
      limits.max_memory_bytes > 0 && (sig == SIGABRT || sig == SIGKILL)
          ? fmt::format(", possibly from exceeding --max-memory {}", formatSize(limits.max_memory_bytes))
          : "";
  throw InputError(input, fmt::format("{} crashed the {} ({}{}); the file is malformed", doing,
                                      loaded ? "worker" : "loader", signalName(sig), memory_hint));
}

}  // namespace jitscope
