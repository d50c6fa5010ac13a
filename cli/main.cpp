// jitscope: parse the global options, dispatch a subcommand, map failures
// to the documented exit codes. Everything else lives in the libraries.
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command.h"
#include "command_line.h"
#include "error_wording.h"
#include "global_options.h"
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

// Runs the command and maps every failure to its exit code and one line.
int runReportingErrors(const std::vector<std::string>& args,
                       const std::vector<std::string>& libraries, Diagnostics& diagnostics) {
  return cli::runWordingFailures(args.empty() ? "" : args.front(), [&] {
    // In the isolated child when --isolate is on: a library whose start-up
    // code crashes is then a one-line exit 3 like a model that does.
    for (const auto& library : libraries) loadOperatorLibrary(library);
    return cli::dispatch(args, diagnostics);
  }, diagnostics);
}

}  // namespace
}  // namespace jitscope

int main(int argc, char** argv) {
  using namespace jitscope;
  using cli::GlobalOptions;
  std::vector<std::string> args(argv + 1, argv + argc);
  GlobalOptions options;
  try {
    options = cli::parseGlobalOptions(args);
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
