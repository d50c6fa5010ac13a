// Boost.Program_options glue shared by the subcommands: one usage layout,
// --help handling, and parse errors turned into UsageError (exit 2).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "command.h"

namespace jitscope::cli {

namespace po = boost::program_options;

struct CommandSyntax {
  std::string usage;        ///< "MODEL [--format text|json]"
  std::string description;  ///< paragraph under the usage line
  po::options_description options{"Options"};
  /// Positional arguments (MODEL), parsed but not listed under "Options".
  po::options_description arguments;
  po::positional_options_description positional;
};

/// Parses ctx.args. Returns nullopt after printing help for --help; throws
/// UsageError for unknown options, missing positionals or bad values.
std::optional<po::variables_map> parseCommandLine(const CommandContext& ctx,
                                                  CommandSyntax& syntax);

/// "a,b,,c" -> {"a", "b", "", "c"}: empty parts are kept so that callers can
/// reject them ("cpu," is not two devices) or skip them (pass lists).
std::vector<std::string> splitCommas(const std::string& text);

/// The help text for `jitscope --help`.
std::string globalHelp();

}  // namespace jitscope::cli
