// jitscope: parse the global options, dispatch a subcommand, map failures
// to the documented exit codes. Everything else lives in the libraries.
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command.h"
#include "command_line.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
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

int main(int argc, char** argv) {
  using namespace jitscope;
  std::vector<std::string> args(argv + 1, argv + argc);
  ColorMode color = ColorMode::kAuto;
  std::string command = args.empty() ? "" : args.front();
  try {
    // --color is global: it may come before the command.
    while (!args.empty() &&
           (args.front() == "--color" || args.front().rfind("--color=", 0) == 0)) {
      const std::string flag = args.front();
      args.erase(args.begin());
      if (flag.size() > 7) {
        color = cli::parseColor(flag.substr(8));
      } else if (!args.empty()) {
        color = cli::parseColor(args.front());
        args.erase(args.begin());
      } else {
        throw UsageError("--color needs a value: auto, always or never");
      }
    }
    command = args.empty() ? "" : args.front();
  } catch (const UsageError& e) {
    Diagnostics(stderr, ColorMode::kNever).error(e.what());
    return toInt(ExitCode::kUsage);
  }

  Diagnostics diagnostics(stderr, color);
  try {
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
  } catch (const std::exception& e) {
    // LibTorch errors are translated at the inspector boundary; anything
    // reaching here is still about the model (exit 3), but say it plainly.
    diagnostics.error(fmt::format("unexpected failure: {}", firstLine(e.what())));
    return toInt(ExitCode::kBadInput);
  }
}
