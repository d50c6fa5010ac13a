// What every subcommand receives and the table of subcommands.
#pragma once

#include <string>
#include <vector>

#include "jitscope/core/diagnostics.h"

namespace jitscope::cli {

struct CommandContext {
  std::string name;               ///< "info"
  std::vector<std::string> args;  ///< everything after the command name
  Diagnostics& diagnostics;
};

/// Entry points return the process exit code (see core/exit_code.h).
using CommandFunction = int (*)(CommandContext&);

struct Command {
  const char* name;
  const char* summary;
  CommandFunction run;
};

#define JITSCOPE_COMMAND(name, summary, function) int function(CommandContext&);
#include "commands.def"
#undef JITSCOPE_COMMAND

const std::vector<Command>& commands();

/// Writes `text` to stdout; data goes there, diagnostics to stderr.
void writeOutput(const std::string& text);

/// `-o PATH`: writes `text` to `path` whole or not at all (AtomicFile), or
/// to stdout when `path` is "".
void writeOutputTo(const std::string& path, const std::string& text);

}  // namespace jitscope::cli
