// The formats a subcommand can be asked for with --format: one enum for
// every command (each allows its own subset; cli/option_groups.h reads the
// flag). Images (graph's svg, png, pdf, dot) are another matter.
#pragma once

#include <string>

namespace jitscope {

enum class OutputFormat { kText, kJson, kSarif, kJunit };

/// "text", "json", "sarif", "junit".
std::string toString(OutputFormat format);

}  // namespace jitscope
