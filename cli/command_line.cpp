#include "command_line.h"

#include <algorithm>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "jitscope/core/atomic_file.h"
#include "jitscope/core/errors.h"

namespace jitscope::cli {

void writeOutputTo(const std::string& path, const std::string& text) {
  if (path.empty()) {
    writeOutput(text);
  } else {
    writeFileAtomically(path, text);
  }
}

std::optional<po::variables_map> parseCommandLine(const CommandContext& ctx,
                                                  CommandSyntax& syntax) {
  syntax.options.add_options()("help,h", "show this help");
  po::options_description all;
  all.add(syntax.options).add(syntax.arguments);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(ctx.args)
                  .options(all)
                  .positional(syntax.positional)
                  .run(),
              vm);
    if (vm.count("help")) {
      std::ostringstream help;
      help << "usage: jitscope " << ctx.name << " " << syntax.usage << "\n\n"
           << syntax.description << "\n\n"
           << syntax.options << "\n"
           << "Exit codes: 0 ok, 1 findings, 2 usage error, 3 unreadable or invalid input.\n";
      writeOutput(help.str());
      return std::nullopt;
    }
    po::notify(vm);
  } catch (const po::required_option& e) {
    // Positionals are declared as options; name them as the usage line does.
    std::string name = e.get_option_name();
    while (!name.empty() && name.front() == '-') name.erase(name.begin());
    for (auto& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    throw UsageError(fmt::format("missing {} argument", name));
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  return vm;
}

std::string globalHelp() {
  std::string text =
      "usage: jitscope [GLOBAL OPTIONS] COMMAND [ARGS]\n\n"
      "Inspect TorchScript models (.pt files from torch.jit.script or\n"
      "torch.jit.trace) without Python.\n\nCommands:\n";
  // The summaries start two columns after the longest name ("target-info").
  size_t width = 10;
  for (const auto& command : commands()) width = std::max(width, std::string_view(command.name).size() + 2);
  for (const auto& command : commands()) {
    text += fmt::format("  {:<{}}{}\n", command.name, width, command.summary);
  }
  text +=
      "\nGlobal options (before COMMAND):\n"
      "  --color auto|always|never  colour diagnostics (auto: on a terminal)\n"
      "  --isolate                  load and run the model in a child process; a crash\n"
      "                             or limit there is reported as exit 3 (docs/security.md)\n"
      "  --timeout SECONDS          stop the child after this long (implies --isolate)\n"
      "  --max-memory SIZE          limit the child's address space, e.g. 4G (implies --isolate)\n"
      "  --load-library PATH        load an operator library (torchvision's _C, a custom-op .so)\n"
      "                             before the model; repeatable, also after COMMAND. It runs\n"
      "                             the library's code: name only libraries you trust\n"
      "\nRun 'jitscope COMMAND --help' for a command's options.\n\n"
      "Exit codes (a contract for CI):\n"
      "  0  ok\n"
      "  1  findings or mismatches at or above the requested severity\n"
      "  2  usage error: unknown command, option, format or method\n"
      "  3  unreadable or invalid input: missing file, not TorchScript, corrupt archive\n";
  return text;
}

std::vector<std::string> splitCommas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

}  // namespace jitscope::cli
