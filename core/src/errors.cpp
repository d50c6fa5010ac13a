#include "jitscope/core/errors.h"

#include <fmt/format.h>

namespace jitscope {

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  return out;
}

InputError::InputError(std::string path, std::string problem)
    : std::runtime_error(fmt::format("'{}': {}", printable(path), printable(problem))),
      path_(std::move(path)),
      problem_(std::move(problem)) {}

std::string_view settingName(Setting setting) {
  switch (setting) {
    case Setting::kDevice: return "device";
    case Setting::kExpected: return "expected outputs";
    case Setting::kInputs: return "inputs";
    case Setting::kSourceRoot: return "source root";
    case Setting::kProbeBudget: return "probe budget";
    case Setting::kProbes: return "probe count";
    case Setting::kIterations: return "iterations";
    case Setting::kFocus: return "focus";
  }
  return "setting";
}

namespace {

std::string wordSetting(std::string_view name, const std::string& value, const std::string& problem,
                        const std::string& allowed) {
  std::string text = value.empty() ? fmt::format("{} {}", name, problem)
                                   : fmt::format("{} '{}': {}", name, printable(value), problem);
  if (!allowed.empty()) text += "; " + allowed;
  return text;
}

}  // namespace

SettingError::SettingError(Setting setting, std::string value, std::string problem, std::string allowed)
    : UsageError(wordSetting(settingName(setting), value, problem, allowed)),
      setting_(setting),
      value_(std::move(value)),
      problem_(std::move(problem)),
      allowed_(std::move(allowed)) {}

std::string SettingError::worded(std::string_view name) const {
  return wordSetting(name, value_, problem_, allowed_);
}

std::string nameOf(const SettingNames& names, Setting setting) {
  return names ? names(setting) : std::string(settingName(setting));
}

std::string firstLine(const std::string& message) {
  size_t begin = 0;
  while (begin < message.size()) {
    size_t end = message.find('\n', begin);
    if (end == std::string::npos) end = message.size();
    std::string line = message.substr(begin, end - begin);
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos) {
      const auto last = line.find_last_not_of(" \t\r:");
      return line.substr(first, last - first + 1);
    }
    begin = end + 1;
  }
  return {};
}

std::string lastLine(const std::string& message) {
  const size_t end = message.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  const size_t newline = message.rfind('\n', end);
  const size_t begin = message.find_first_not_of(" \t\r", newline == std::string::npos ? 0 : newline + 1);
  return message.substr(begin, end - begin + 1);
}

}  // namespace jitscope
