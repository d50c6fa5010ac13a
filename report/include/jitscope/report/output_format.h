// Output formats a subcommand can be asked for with --format.
#pragma once

#include <string>
#include <vector>

namespace jitscope {

enum class OutputFormat { kText, kJson, kSarif };

/// Parses "text", "json" or "sarif" among `allowed`; throws UsageError listing them.
OutputFormat parseOutputFormat(const std::string& name,
                               const std::vector<OutputFormat>& allowed);

std::string toString(OutputFormat format);

}  // namespace jitscope
