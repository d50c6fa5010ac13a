#include "jitscope/report/text_util.h"

#include <fmt/format.h>

#include <cmath>

namespace jitscope {

std::string shortNumber(double value) {
  if (std::isinf(value)) return "inf";
  if (std::isnan(value)) return "nan";
  return fmt::format("{:.3g}", value);
}

std::string humanBytes(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024.0;
  size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(units)) {
    value /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, units[unit]);
}

std::string describeEvidence(const ProvenanceEvidence& evidence) {
  auto where = [](const SourceLocation& location) {
    return location.known() ? fmt::format(" (e.g. {})", location.str())
                            : std::string();
  };
  const std::string traced =
      fmt::format("{} node{} with a tracer call stack{}", evidence.traced_nodes,
                  evidence.traced_nodes == 1 ? "" : "s",
                  where(evidence.traced_example));
  const std::string scripted = fmt::format(
      "{} node{} compiled from TorchScript source{}", evidence.scripted_nodes,
      evidence.scripted_nodes == 1 ? "" : "s",
      where(evidence.scripted_example));
  switch (evidence.verdict()) {
    case Provenance::kTraced:
      return traced;
    case Provenance::kScripted:
      return scripted;
    case Provenance::kMixed:
      return traced + "; " + scripted;
    case Provenance::kUnknown:
      break;
  }
  return "no node records its Python source (the method computes nothing of "
         "its own, or the archive has no debug info)";
}

std::string xmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string sarifUri(const std::string& path) {
  return !path.empty() && path.front() == '/' ? "file://" + path : path;
}

}  // namespace jitscope
