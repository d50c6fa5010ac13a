// Runs one golden CLI test file, lit-style:
//
//   # RUN: %jitscope info %models/my_cell.traced.pt
//   # EXIT: 0
//   # STDERR-LINES: 0
//   # CHECK: Provenance: traced
//
// A file holds one or more cases, each starting at a RUN line. The command
// runs in a subshell (so && and ; chains are captured whole); its stdout, then its stderr with each line prefixed by
// "stderr: ", is checked with torch's FileCheck against the case's CHECK,
// CHECK-NEXT, CHECK-SAME, CHECK-NOT, CHECK-COUNT-N and CHECK-DAG lines.
// %jitscope, %models, %s (this file's folder) and %t (a fresh temporary
// folder for the case's output files) are substituted.
//
//   # REQUIRES-FILE: %models/detection/ssdlite.scripted.pt
//
// anywhere in the file skips the whole file (exit 77, ctest's "skipped") when
// that fixture was not generated, as when its operator library cannot be
// loaded outside Python on this machine.
#include <torch/csrc/jit/testing/file_check.h>

#include <fmt/format.h>

#include <cstdlib>
#include <optional>
#include <unistd.h>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace {

struct Case {
  std::string run;
  int exit_code = 0;
  int stderr_lines = -1;  // -1: not checked
  std::string checks;
  size_t line = 0;
};

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void replaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}

std::vector<Case> parseCases(const std::string& path) {
  std::ifstream in(path);
  std::vector<Case> cases;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    auto directive = [&](const std::string& name) -> std::optional<std::string> {
      const std::string prefix = "# " + name + ":";
      if (line.rfind(prefix, 0) != 0) return std::nullopt;
      std::string value = line.substr(prefix.size());
      value.erase(0, value.find_first_not_of(' '));
      return value;
    };
    if (auto run = directive("RUN")) {
      cases.push_back(Case{*run, 0, -1, "", number});
    } else if (cases.empty()) {
      continue;
    } else if (auto code = directive("EXIT")) {
      cases.back().exit_code = std::stoi(*code);
    } else if (auto lines = directive("STDERR-LINES")) {
      cases.back().stderr_lines = std::stoi(*lines);
    } else if (line.rfind("# CHECK", 0) == 0) {
      cases.back().checks += line + "\n";
    }
  }
  return cases;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: jitscope_golden_runner TEST --jitscope BIN --models DIR\n";
    return 2;
  }
  const std::string test_file = argv[1];
  const std::string jitscope = argv[3];
  const std::string models = argv[5];
  const std::string folder = test_file.substr(0, test_file.rfind('/'));

  {
    std::ifstream in(test_file);
    const std::string directive = "# REQUIRES-FILE: ";
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(directive, 0) != 0) continue;
      std::string required = line.substr(directive.size());
      replaceAll(required, "%models", models);
      if (access(required.c_str(), R_OK) != 0) {
        std::cout << fmt::format("{}: skipped, {} was not generated\n", test_file, required);
        return 77;
      }
    }
  }
  const auto cases = parseCases(test_file);
  if (cases.empty()) {
    std::cerr << test_file << ": no RUN line\n";
    return 1;
  }
  int failures = 0;
  for (const auto& test : cases) {
    std::string command = test.run;
    replaceAll(command, "%jitscope", jitscope);
    replaceAll(command, "%models", models);
    replaceAll(command, "%s", folder);
    char temp[] = "/tmp/jitscope-golden-XXXXXX";
    const std::string temp_dir = ::mkdtemp(temp) ? temp : "/tmp";
    replaceAll(command, "%t", temp_dir);
    const std::string out_path = fmt::format("/tmp/jitscope-golden-{}.out", ::getpid());
    const std::string err_path = fmt::format("/tmp/jitscope-golden-{}.err", ::getpid());
    const int status = std::system(
        fmt::format("( {} ) >{} 2>{} </dev/null", command, out_path, err_path).c_str());
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    const std::string out = readFile(out_path);
    const std::string err = readFile(err_path);
    std::remove(out_path.c_str());
    std::remove(err_path.c_str());
    std::system(fmt::format("rm -rf '{}'", temp_dir).c_str());

    std::string combined = out;
    std::istringstream err_lines(err);
    int stderr_count = 0;
    for (std::string line; std::getline(err_lines, line); ++stderr_count) {
      combined += "stderr: " + line + "\n";
    }
    auto fail = [&](const std::string& why) {
      std::cerr << fmt::format("{}:{}: FAIL: {}\n  command: {}\n--- output ---\n{}--------------\n",
                               test_file, test.line, why, command, combined);
      ++failures;
    };
    if (code != test.exit_code) {
      fail(fmt::format("exit code {}, expected {}", code, test.exit_code));
      continue;
    }
    if (test.stderr_lines >= 0 && stderr_count != test.stderr_lines) {
      fail(fmt::format("{} stderr lines, expected {}", stderr_count, test.stderr_lines));
      continue;
    }
    if (!test.checks.empty()) {
      try {
        torch::jit::testing::FileCheck().run(test.checks, combined);
      } catch (const std::exception& e) {
        fail(e.what());
        continue;
      }
    }
  }
  std::cout << fmt::format("{}: {} case(s), {} failed\n", test_file, cases.size(), failures);
  return failures == 0 ? 0 : 1;
}
