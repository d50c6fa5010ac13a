#include "jitscope/report/output_format.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "jitscope/core/errors.h"

namespace jitscope {

std::string toString(OutputFormat format) {
  switch (format) {
    case OutputFormat::kText:
      return "text";
    case OutputFormat::kJson:
      return "json";
    case OutputFormat::kSarif:
      return "sarif";
  }
  return "text";
}

OutputFormat parseOutputFormat(const std::string& name,
                               const std::vector<OutputFormat>& allowed) {
  std::vector<std::string> names;
  for (OutputFormat format : allowed) {
    if (toString(format) == name) return format;
    names.push_back(toString(format));
  }
  throw UsageError(fmt::format("unknown format '{}'; use one of: {}", name,
                               fmt::join(names, ", ")));
}

}  // namespace jitscope
