#include "jitscope/report/output_format.h"

namespace jitscope {

std::string toString(OutputFormat format) {
  switch (format) {
    case OutputFormat::kText: return "text";
    case OutputFormat::kJson: return "json";
    case OutputFormat::kSarif: return "sarif";
    case OutputFormat::kJunit: return "junit";
  }
  return "text";
}

}  // namespace jitscope
