// jitscope: parse the global options, dispatch a subcommand, map failures
// to the documented exit codes. Everything else lives in the libraries.
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command.h"
#include "command_line.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/core/isolation.h"
#include "jitscope/core/operator_library.h"
#include "jitscope/core/suggest.h"

namespace jitscope::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
#define JITSCOPE_COMMAND(name, summary, function) {name, summary, &function},
#include "commands.def"
#undef JITSCOPE_COMMAND
  };
  return table;
}

void writeOutput(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

namespace {

ColorMode parseColor(const std::string& value) {
  if (value == "always") return ColorMode::kAlways;
  if (value == "never") return ColorMode::kNever;
  if (value == "auto") return ColorMode::kAuto;
  throw UsageError(fmt::format("unknown --color value '{}'; use auto, always or never", value));
}

int dispatch(std::vector<std::string> args, Diagnostics& diagnostics) {
  if (args.empty()) {
    std::fputs(globalHelp().c_str(), stderr);
    return toInt(ExitCode::kUsage);
  }
  const std::string name = args.front();
  if (name == "--help" || name == "-h" || name == "help") {
    writeOutput(globalHelp());
    return toInt(ExitCode::kOk);
  }
  if (name == "--version") {
    writeOutput("jitscope 0.1.0\n");
    return toInt(ExitCode::kOk);
  }
  std::vector<std::string> names;
  for (const auto& command : commands()) {
    if (name == command.name) {
      CommandContext ctx{name, std::vector<std::string>(args.begin() + 1, args.end()),
                         diagnostics};
      return command.run(ctx);
    }
    names.emplace_back(command.name);
  }
  std::string message = fmt::format("unknown command '{}'", name);
  if (auto suggestion = closestMatch(name, names)) {
    message += fmt::format(", did you mean '{}'?", *suggestion);
  } else {
    message += "; run 'jitscope --help' for the list";
  }
  throw UsageError(message);
}

}  // namespace
}  // namespace jitscope::cli

namespace jitscope {

namespace {

// Options that come before the command and apply to every one of them.
struct GlobalOptions {
  ColorMode color = ColorMode::kAuto;
  bool isolate = false;
  IsolationLimits limits;
  std::vector<std::string> libraries;  ///< --load-library, in order
};

// --load-library may stand before or after the command name (a user adds it
// to a command line they already have), so it is taken from anywhere before
// a `--`; every other global option comes before the command.
std::vector<std::string> takeLibraryOptions(std::vector<std::string>& args) {
  std::vector<std::string> libraries;
  const std::string flag = "--load-library";
  for (size_t i = 0; i < args.size();) {
    if (args[i] == "--") break;
    if (args[i] == flag) {
      if (i + 1 >= args.size()) throw UsageError("--load-library needs a path to a shared library");
      libraries.push_back(args[i + 1]);
      args.erase(args.begin() + i, args.begin() + i + 2);
    } else if (args[i].rfind(flag + "=", 0) == 0) {
      libraries.push_back(args[i].substr(flag.size() + 1));
      args.erase(args.begin() + i);
    } else {
      ++i;
    }
  }
  return libraries;
}

// Takes the global options off the front of `args`.
GlobalOptions parseGlobalOptions(std::vector<std::string>& args) {
  GlobalOptions options;
  options.libraries = takeLibraryOptions(args);
  auto value = [&](const std::string& flag, const std::string& name) {
    if (flag.size() > name.size()) return flag.substr(name.size() + 1);  // --name=value
    if (args.empty()) throw UsageError(fmt::format("{} needs a value", name));
    std::string v = args.front();
    args.erase(args.begin());
    return v;
  };
  auto is = [](const std::string& flag, const std::string& name) {
    return flag == name || flag.rfind(name + "=", 0) == 0;
  };
  while (!args.empty() && args.front().rfind("--", 0) == 0) {
    const std::string flag = args.front();
    if (is(flag, "--color")) {
      args.erase(args.begin());
      options.color = cli::parseColor(value(flag, "--color"));
    } else if (flag == "--isolate") {
      args.erase(args.begin());
      options.isolate = true;
    } else if (is(flag, "--timeout")) {
      args.erase(args.begin());
      const std::string text = value(flag, "--timeout");
      char* end = nullptr;
      const double seconds = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || !(seconds > 0)) {
        throw UsageError(fmt::format("--timeout '{}' is not a number of seconds", text));
      }
      options.limits.timeout_seconds = seconds;
      options.isolate = true;
    } else if (is(flag, "--max-memory")) {
      args.erase(args.begin());
      options.limits.max_memory_bytes = parseSize(value(flag, "--max-memory"), "--max-memory");
      options.isolate = true;
    } else if (is(flag, "--test-only-fault")) {
      // TEST ONLY, not in --help: makes the isolated child crash, hang or
      // exhaust memory so tests/golden/isolation.test can check the parent.
      args.erase(args.begin());
      setTestOnlyFault(value(flag, "--test-only-fault"));
      options.isolate = true;
    } else {
      break;
    }
  }
  return options;
}

// Runs the command and maps every failure to its exit code and one line.
int runReportingErrors(const std::vector<std::string>& args,
                       const std::vector<std::string>& libraries, Diagnostics& diagnostics) {
  const std::string command = args.empty() ? "" : args.front();
  try {
    // In the isolated child when --isolate is on: a library whose start-up
    // code crashes is then a one-line exit 3 like a model that does.
    for (const auto& library : libraries) loadOperatorLibrary(library);
    return cli::dispatch(args, diagnostics);
  } catch (const UsageError& e) {
    bool known = false;
    for (const auto& entry : cli::commands()) known = known || command == entry.name;
    diagnostics.error(known ? fmt::format("{}; see 'jitscope {} --help'", e.what(), command)
                            : std::string(e.what()));
    return toInt(ExitCode::kUsage);
  } catch (const InputError& e) {
    diagnostics.error(e.what());
    return toInt(ExitCode::kBadInput);
  } catch (const std::bad_alloc&) {
    diagnostics.error(outOfMemoryProblem());
    return toInt(ExitCode::kBadInput);
  } catch (const std::exception& e) {
    // LibTorch errors are translated at the inspector boundary; anything
    // reaching here is still about the model (exit 3), but say it plainly.
    const std::string& input = lastInput();
    diagnostics.error(input.empty()
                          ? fmt::format("unexpected failure: {}", firstLine(e.what()))
                          : fmt::format("'{}': unexpected failure: {}; if the file is damaged, re-export it, "
                                        "otherwise report it to jitscope with the file",
                                        input, firstLine(e.what())));
    return toInt(ExitCode::kBadInput);
  }
}

}  // namespace
}  // namespace jitscope

int main(int argc, char** argv) {
  using namespace jitscope;
  std::vector<std::string> args(argv + 1, argv + argc);
  GlobalOptions options;
  try {
    options = parseGlobalOptions(args);
  } catch (const UsageError& e) {
    Diagnostics(stderr, ColorMode::kNever).error(e.what());
    return toInt(ExitCode::kUsage);
  }

  Diagnostics diagnostics(stderr, options.color);
  if (!options.isolate) return runReportingErrors(args, options.libraries, diagnostics);
  try {
    return runIsolated(options.limits, [&] { return runReportingErrors(args, options.libraries, diagnostics); });
  } catch (const UsageError& e) {
    diagnostics.error(e.what());
    return toInt(ExitCode::kUsage);
  } catch (const InputError& e) {
    diagnostics.error(e.what());
    return toInt(ExitCode::kBadInput);
  } catch (const std::exception& e) {
    diagnostics.error(fmt::format("cannot isolate the run: {}", firstLine(e.what())));
    return toInt(ExitCode::kBadInput);
  }
}
