#include "jitscope/core/process_pool.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "jitscope/core/paths.h"

extern char** environ;

namespace jitscope {
namespace {

namespace fs = std::filesystem;

struct Running {
  size_t index = 0;
  std::string out;
  std::string err;
  std::chrono::steady_clock::time_point started;
};

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Removes the folder however the pool ends.
struct TreeRemover {
  std::string path;
  ~TreeRemover() { removeTree(path); }
};

pid_t spawn(const std::string& program, std::vector<std::string> args, Running& job) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, job.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, job.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(fmt::format("cannot start '{}': {}", program, std::strerror(rc)));
  job.started = std::chrono::steady_clock::now();
  return pid;
}

}  // namespace

std::string currentExecutable() { return fs::read_symlink("/proc/self/exe").string(); }

std::vector<ProcessOutcome> runProcessPool(const std::string& program,
                                           const std::vector<std::vector<std::string>>& jobs, unsigned parallel) {
  char pattern[] = "/tmp/jitscope-ci.XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("cannot create a temporary folder under /tmp");
  const TreeRemover remove{pattern};
  const fs::path dir(pattern);
  parallel = std::max(parallel, 1u);
  std::vector<ProcessOutcome> outcomes(jobs.size());
  std::map<pid_t, Running> running;
  size_t next = 0;
  while (next < jobs.size() || !running.empty()) {
    while (next < jobs.size() && running.size() < parallel) {
      Running job;
      job.index = next;
      job.out = (dir / fmt::format("{}.out", next)).string();
      job.err = (dir / fmt::format("{}.err", next)).string();
      const pid_t pid = spawn(program, jobs[next], job);
      running.emplace(pid, std::move(job));
      ++next;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    ProcessOutcome& outcome = outcomes[it->second.index];
    outcome.exited = WIFEXITED(status);
    outcome.exit_code = outcome.exited ? WEXITSTATUS(status) : 0;
    outcome.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    outcome.out = readAll(it->second.out);
    outcome.err = readAll(it->second.err);
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second.started).count();
    running.erase(it);
  }
  return outcomes;
}

}  // namespace jitscope
