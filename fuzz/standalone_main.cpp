// A fuzzing driver for the targets in fuzz/ where clang's libFuzzer runtime
// is missing (gcc: the GPU machine has gcc 13 only). Link it with one
// target's LLVMFuzzerTestOneInput, built with -fsanitize=address,undefined
// (scripts/gpu/fuzz-sanitized.sh does). No coverage feedback: it replays the
// corpus, then runs random mutations of it (byte and bit flips, inserts,
// erases, copies, interesting values, splices of two inputs).
//
//   TARGET [-flag=value ...] [DIR ...]    replay the files in DIRs, then mutate them
//   TARGET [-flag=value ...] FILE ...     run each FILE once (reproduce a crash)
//
// Flags, named as libFuzzer's: -max_total_time=S (0: no bound), -runs=N
// (executions in all, replay included; 0: no bound), -max_len=N (mutants;
// default the larger of 4096 and the biggest corpus file), -timeout=S per
// input (default 1200), -rss_limit_mb=N (default 2048; 0: none), -seed=N,
// -artifact_prefix=P, and -batch=N (inputs per child, default 256). Other
// libFuzzer flags (-fork, -ignore_crashes, -print_final_stats, ...) are
// accepted and ignored: this driver always works as libFuzzer's fork mode
// with -ignore_crashes does.
//
// Each batch runs in a forked child; the parent never calls the target. The
// child notes in shared memory which input it is on and since when, so when
// it dies (a signal, a sanitizer's exit, an uncaught exception) or passes
// the timeout or the RSS limit, the parent saves that input as
// <prefix>crash-N (timeout-N, oom-N; N the first free number), with the
// child's stderr beside it (crash-N.log), and goes on with the rest.
// Exit status: 0 when nothing was found, 1 when something was, 2 on usage.
#include <dirent.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>
#include <random>
#include <set>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

using Bytes = std::vector<uint8_t>;

struct Options {
  double max_total_time = 0;
  uint64_t runs = 0;
  size_t max_len = 0;
  double timeout = 1200;
  uint64_t rss_limit_mb = 2048;
  uint64_t seed = 0;
  size_t batch = 256;
  std::string artifact_prefix;
  std::vector<std::string> dirs, files;
};

/// What the child tells the parent, in memory both see.
struct Shared {
  std::atomic<uint64_t> index;       ///< the input the child is running (== batch size once done)
  std::atomic<uint64_t> started_ns;  ///< when it started it (CLOCK_MONOTONIC)
};

volatile sig_atomic_t g_stop = 0;

uint64_t nowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

bool readFile(const std::string& path, Bytes& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

bool writeFile(const std::string& path, const Bytes& bytes) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

bool isDirectory(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

void listFiles(const std::string& dir, std::vector<std::string>& out) {
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    const std::string path = dir + "/" + e->d_name;
    struct stat st {};
    if (e->d_name[0] != '.' && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) names.push_back(path);
  }
  closedir(d);
  std::sort(names.begin(), names.end());  // the same order every run: -seed reproduces a run
  out.insert(out.end(), names.begin(), names.end());
}

bool parseFlag(const std::string& arg, Options& o) {
  const auto eq = arg.find('=');
  if (arg.size() < 2 || arg[0] != '-' || eq == std::string::npos) return false;
  const std::string name = arg.substr(1, eq - 1), value = arg.substr(eq + 1);
  char* end = nullptr;
  errno = 0;
  const double number = std::strtod(value.c_str(), &end);
  const bool numeric = !value.empty() && *end == '\0' && errno == 0 && number >= 0;
  if (name == "artifact_prefix") {
    o.artifact_prefix = value;
    return true;
  }
  struct { const char* name; double* d; uint64_t* u; size_t* z; } table[] = {
      {"max_total_time", &o.max_total_time, nullptr, nullptr}, {"timeout", &o.timeout, nullptr, nullptr},
      {"runs", nullptr, &o.runs, nullptr}, {"rss_limit_mb", nullptr, &o.rss_limit_mb, nullptr},
      {"seed", nullptr, &o.seed, nullptr}, {"max_len", nullptr, nullptr, &o.max_len},
      {"batch", nullptr, nullptr, &o.batch}};
  for (const auto& row : table) {
    if (name != row.name) continue;
    if (!numeric) {
      std::fprintf(stderr, "standalone: -%s needs a number, not '%s'\n", row.name, value.c_str());
      std::exit(2);
    }
    if (row.d) *row.d = number;
    if (row.u) *row.u = static_cast<uint64_t>(number);
    if (row.z) *row.z = static_cast<size_t>(number);
    return true;
  }
  std::fprintf(stderr, "standalone: ignoring the libFuzzer flag '%s'\n", arg.c_str());
  return true;
}

class Mutator {
 public:
  Mutator(uint64_t seed, size_t max_len) : rng_(seed), max_len_(std::max<size_t>(max_len, 1)) {}

  Bytes mutate(const std::vector<Bytes>& corpus) {
    Bytes b = corpus[below(corpus.size())];
    const size_t steps = 1 + below(8);
    for (size_t i = 0; i < steps; ++i) step(b, corpus);
    if (b.size() > max_len_) b.resize(max_len_);
    return b;
  }

 private:
  size_t below(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  uint8_t byte() { return static_cast<uint8_t>(below(256)); }

  void step(Bytes& b, const std::vector<Bytes>& corpus) {
    static const uint8_t interesting[] = {0, 1, 0x7f, 0x80, 0xff, 0x10, 0x20, 0x40, 0x64, 0xfe};
    switch (below(9)) {
      case 0:  // flip a bit
        if (!b.empty()) b[below(b.size())] ^= static_cast<uint8_t>(1u << below(8));
        break;
      case 1:  // set a byte
        if (!b.empty()) b[below(b.size())] = byte();
        break;
      case 2:  // an interesting byte
        if (!b.empty()) b[below(b.size())] = interesting[below(sizeof interesting)];
        break;
      case 3:  // insert random bytes
        if (b.size() < max_len_) {
          const size_t n = 1 + below(std::min<size_t>(16, max_len_ - b.size()));
          Bytes add(n);
          for (auto& c : add) c = byte();
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(below(b.size() + 1)), add.begin(), add.end());
        }
        break;
      case 4:  // insert a run of one byte
        if (b.size() < max_len_) {
          const size_t n = 1 + below(std::min<size_t>(128, max_len_ - b.size()));
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(below(b.size() + 1)), n, byte());
        }
        break;
      case 5:  // erase a range
        if (b.size() > 1) {
          const size_t at = below(b.size()), n = 1 + below(std::min<size_t>(b.size() - at, 64));
          b.erase(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + n));
        }
        break;
      case 6:  // copy a range of itself elsewhere (overwrite)
        if (b.size() > 1) {
          const size_t from = below(b.size()), to = below(b.size());
          const size_t n = 1 + below(std::min(b.size() - from, b.size() - to));
          std::memmove(b.data() + to, b.data() + from, n);
        }
        break;
      case 7: {  // splice with another corpus input
        const Bytes& other = corpus[below(corpus.size())];
        const size_t keep = below(b.size() + 1), from = below(other.size() + 1);
        b.resize(keep);
        b.insert(b.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
        break;
      }
      default:  // a 1/2/4/8-byte little-endian integer near an edge
        if (!b.empty()) {
          const size_t width = size_t{1} << below(4), at = below(b.size());
          const uint64_t edges[] = {0, 1, ~uint64_t{0}, uint64_t{1} << (8 * width - 1), (uint64_t{1} << (8 * width - 1)) - 1};
          uint64_t v = edges[below(5)] + below(3) - 1;  // the edge, or one either side
          for (size_t k = 0; k < width && at + k < b.size(); ++k, v >>= 8) b[at + k] = static_cast<uint8_t>(v);
        }
        break;
    }
  }

  std::mt19937_64 rng_;
  size_t max_len_;
};

class Runner {
 public:
  Runner(const Options& o, int argc, char** argv) : o_(o), argc_(argc), argv_(argv), start_(nowNs()) {
    void* p = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      std::perror("standalone: mmap");
      std::exit(2);
    }
    shared_ = new (p) Shared{};  // lock-free atomics work across fork
  }

  bool outOfTime() const {
    return g_stop || (o_.max_total_time > 0 && seconds() >= o_.max_total_time) || (o_.runs > 0 && executed_ >= o_.runs);
  }
  uint64_t runsLeft() const { return o_.runs > 0 ? o_.runs - std::min(executed_, o_.runs) : UINT64_MAX; }
  double seconds() const { return static_cast<double>(nowNs() - start_) / 1e9; }

  /// Runs the inputs in forked children, saving any that crash, hang or
  /// exceed the memory limit; returns when all ran or time is up.
  void run(const std::vector<Bytes>& inputs) {
    size_t next = 0;
    while (next < inputs.size() && !outOfTime()) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(inputs.size() - next, runsLeft()));
      next += runBatch(inputs, next, n);
    }
  }

  void report() const {
    std::fprintf(stderr,
                 "standalone: done: %llu runs in %.0f s (%.1f/s): %zu crash(es), %zu timeout(s), %zu out-of-memory\n"
                 "stat::number_of_executed_units: %llu\nstat::crashes: %zu\nstat::timeouts: %zu\nstat::ooms: %zu\n",
                 static_cast<unsigned long long>(executed_), seconds(),
                 static_cast<double>(executed_) / std::max(seconds(), 1e-3), crashes_, timeouts_, ooms_,
                 static_cast<unsigned long long>(executed_), crashes_, timeouts_, ooms_);
  }
  bool foundAny() const { return crashes_ + timeouts_ + ooms_ > 0; }

 private:
  // Runs inputs[first, first + n) in one child; returns how many were used
  // up (the ones that ran, and the one that ended the child).
  size_t runBatch(const std::vector<Bytes>& inputs, size_t first, size_t n) {
    const std::string log = o_.artifact_prefix + ".standalone-" + std::to_string(getpid()) + ".log";
    shared_->index = 0;
    shared_->started_ns = nowNs();
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) {
      std::perror("standalone: fork");
      std::exit(2);
    }
    if (pid == 0) child(inputs, first, n, log);

    enum class End { Done, Crash, Timeout, Oom, Stopped } end = End::Done;
    int status = 0;
    for (;;) {
      const pid_t got = waitpid(pid, &status, WNOHANG);
      if (got == pid) break;
      if (got < 0 && errno != EINTR) break;
      const bool hung = o_.timeout > 0 && shared_->index < n &&
                        static_cast<double>(nowNs() - shared_->started_ns) / 1e9 > o_.timeout;
      const bool big = o_.rss_limit_mb > 0 && rssMb(pid) > o_.rss_limit_mb;
      const bool over = g_stop || (o_.max_total_time > 0 && seconds() >= o_.max_total_time);
      if (hung || big || over) {
        end = big ? End::Oom : hung ? End::Timeout : End::Stopped;
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        break;
      }
      usleep(5000);
    }
    if (g_stop) end = End::Stopped;  // Ctrl-C reaches the child too: not a crash
    const size_t at = std::min<size_t>(shared_->index.load(), n);
    executed_ += at;
    const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (end == End::Done && at == n && !clean) {
      std::fprintf(stderr, "standalone: a child failed after its last input (exit code or signal %d); its stderr:\n", status);
      tail(log);
    }
    if (end == End::Done && at < n) end = End::Crash;  // died mid-batch (or the target called exit)
    if (end == End::Done || end == End::Stopped || at == n) {
      unlink(log.c_str());
      return end == End::Stopped ? n : at;
    }
    ++executed_;  // the input that ended the child ran too
    const char* kind = end == End::Crash ? "crash" : end == End::Timeout ? "timeout" : "oom";
    (end == End::Crash ? crashes_ : end == End::Timeout ? timeouts_ : ooms_) += 1;
    std::string how;
    if (end == End::Timeout) how = "ran past -timeout=" + std::to_string(static_cast<long>(o_.timeout)) + " s";
    else if (end == End::Oom) how = "used more than -rss_limit_mb=" + std::to_string(o_.rss_limit_mb);
    else if (WIFSIGNALED(status)) how = std::string("signal ") + strsignal(WTERMSIG(status));
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) how = "exit " + std::to_string(WEXITSTATUS(status));
    else how = "the target ended the process";
    const Bytes& input = inputs[first + at];
    if (!saved_.insert(std::string(input.begin(), input.end())).second) {  // found again: counted, not saved again
      std::fprintf(stderr, "standalone: %s (%s) again on an input saved before\n", kind, how.c_str());
      unlink(log.c_str());
      return at + 1;
    }
    const std::string path = freePath(kind);
    if (!writeFile(path, input)) std::fprintf(stderr, "standalone: cannot write %s\n", path.c_str());
    rename(log.c_str(), (path + ".log").c_str());
    std::fprintf(stderr, "standalone: %s (%zu bytes, %s) saved as %s; its stderr in %s.log\n", kind,
                 input.size(), how.c_str(), path.c_str(), path.c_str());
    tail(path + ".log");
    return at + 1;
  }

  [[noreturn]] void child(const std::vector<Bytes>& inputs, size_t first, size_t n, const std::string& log) {
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 2);
      close(fd);
    }
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc_, &argv_);
    for (size_t i = 0; i < n; ++i) {
      const Bytes& in = inputs[first + i];
      // The target sees a heap copy of exactly the input's size, so a
      // sanitizer catches a read one past its end.
      uint8_t* copy = static_cast<uint8_t*>(std::malloc(std::max<size_t>(in.size(), 1)));
      if (!in.empty()) std::memcpy(copy, in.data(), in.size());
      shared_->started_ns = nowNs();
      shared_->index = i;
      LLVMFuzzerTestOneInput(copy, in.size());
      std::free(copy);
    }
    shared_->index = n;
    std::fflush(nullptr);
    _exit(0);
  }

  static uint64_t rssMb(pid_t pid) {
    std::ifstream statm("/proc/" + std::to_string(pid) + "/statm");
    uint64_t size = 0, resident = 0;
    if (!(statm >> size >> resident)) return 0;
    return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)) >> 20;
  }

  std::string freePath(const char* kind) const {
    for (unsigned n = 0;; ++n) {
      const std::string path = o_.artifact_prefix + kind + "-" + std::to_string(n);
      if (access(path.c_str(), F_OK) != 0) return path;
    }
  }

  static void tail(const std::string& path) {  // the last lines of the child's report
    Bytes text;
    if (!readFile(path, text) || text.empty()) return;
    const size_t from = text.size() > 3000 ? text.size() - 3000 : 0;
    std::fwrite(text.data() + from, 1, text.size() - from, stderr);
    if (text.back() != '\n') std::fputc('\n', stderr);
  }

  const Options& o_;
  int argc_;
  char** argv_;
  uint64_t start_;
  Shared* shared_ = nullptr;
  uint64_t executed_ = 0;
  size_t crashes_ = 0, timeouts_ = 0, ooms_ = 0;
  std::set<std::string> saved_;  ///< inputs saved this run
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (parseFlag(arg, o)) continue;
    if (!arg.empty() && arg[0] == '-') {
      std::fprintf(stderr, "standalone: ignoring the libFuzzer flag '%s'\n", arg.c_str());
      continue;
    }
    (isDirectory(arg) ? o.dirs : o.files).push_back(arg);
  }
  if (!o.files.empty() && !o.dirs.empty()) {
    std::fprintf(stderr, "standalone: give corpus folders or input files, not both\n");
    return 2;
  }
  if (o.batch == 0) o.batch = 1;
  signal(SIGINT, [](int) { g_stop = 1; });
  signal(SIGTERM, [](int) { g_stop = 1; });

  std::vector<std::string> paths = o.files;
  for (const auto& dir : o.dirs) listFiles(dir, paths);
  std::vector<Bytes> corpus;
  size_t biggest = 0;
  for (const auto& path : paths) {
    Bytes b;
    if (!readFile(path, b)) {
      std::fprintf(stderr, "standalone: cannot read '%s'\n", path.c_str());
      return 2;
    }
    biggest = std::max(biggest, b.size());
    corpus.push_back(std::move(b));
  }
  const bool replay_only = !o.files.empty();
  if (o.max_len == 0) o.max_len = std::max<size_t>(4096, biggest);
  if (o.seed == 0) o.seed = nowNs() ^ static_cast<uint64_t>(getpid());
  std::fprintf(stderr, "standalone: %zu input(s)%s, seed %llu, batches of %zu\n", corpus.size(),
               replay_only ? " to run once" : " to replay, then mutations", static_cast<unsigned long long>(o.seed),
               o.batch);

  Runner runner(o, argc, argv);
  for (size_t at = 0; at < corpus.size() && !runner.outOfTime(); at += o.batch) {
    const auto end = corpus.begin() + static_cast<std::ptrdiff_t>(std::min(corpus.size(), at + o.batch));
    runner.run(std::vector<Bytes>(corpus.begin() + static_cast<std::ptrdiff_t>(at), end));
  }
  if (!replay_only) {
    if (corpus.empty()) corpus.push_back(Bytes{});  // mutations grow it from nothing
    Mutator mutator(o.seed, o.max_len);
    while (!runner.outOfTime()) {
      std::vector<Bytes> batch;
      const size_t n = static_cast<size_t>(std::min<uint64_t>(o.batch, runner.runsLeft()));
      for (size_t i = 0; i < n; ++i) batch.push_back(mutator.mutate(corpus));
      runner.run(batch);
    }
  }
  runner.report();
  return runner.foundAny() ? 1 : 0;
}
