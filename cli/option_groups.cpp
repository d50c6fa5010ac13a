#include "option_groups.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "jitscope/core/errors.h"
#include "jitscope/passes/registry.h"

namespace jitscope::cli {
namespace {

// "text", "text or json", "text, json or junit".
std::string orList(const std::vector<std::string>& names) {
  if (names.size() < 2) return names.empty() ? "" : names.front();
  std::vector<std::string> head(names.begin(), names.end() - 1);
  return fmt::format("{} or {}", fmt::join(head, ", "), names.back());
}

}  // namespace

std::optional<Severity> severityNamed(std::string_view name) {
  for (Severity severity : {Severity::kNote, Severity::kWarning, Severity::kError}) {
    if (name == toString(severity)) return severity;
  }
  return std::nullopt;
}

std::optional<double> toleranceNamed(const std::string& text) {
  try {
    size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size() && value >= 0) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// ----- --rtol / --atol -------------------------------------------------------

void ToleranceFlags::declare(po::options_description& options, const std::string& applies_to) {
  options.add_options()
      ("rtol", po::value(&rtol_text_), fmt::format("relative tolerance {} (default: by dtype)", applies_to).c_str())
      ("atol", po::value(&atol_text_), fmt::format("absolute tolerance {} (default: by dtype)", applies_to).c_str());
}

void ToleranceFlags::read() {
  const auto number = [](const std::string& text, const char* flag) -> std::optional<double> {
    if (text.empty()) return std::nullopt;
    if (auto value = toleranceNamed(text)) return value;
    throw UsageError(fmt::format("cannot read {} '{}'; give a number >= 0, e.g. 1e-4", flag, text));
  };
  rtol_ = number(rtol_text_, "--rtol");
  atol_ = number(atol_text_, "--atol");
}

void ToleranceFlags::applyTo(ToleranceOptions& tolerance) const {
  if (rtol_) tolerance.rtol = rtol_;
  if (atol_) tolerance.atol = atol_;
}

// ----- --format --------------------------------------------------------------

void FormatFlag::declare(po::options_description& options, std::vector<OutputFormat> allowed) {
  allowed_ = std::move(allowed);
  std::vector<std::string> names;
  for (OutputFormat format : allowed_) names.push_back(toString(format));
  options.add_options()("format,f", po::value(&name_)->default_value(names.front()), orList(names).c_str());
}

OutputFormat FormatFlag::read() const {
  std::vector<std::string> names;
  for (OutputFormat format : allowed_) {
    if (toString(format) == name_) return format;
    names.push_back(toString(format));
  }
  throw UsageError(fmt::format("unknown format '{}'; use one of: {}", name_, fmt::join(names, ", ")));
}

// ----- --fail-on -------------------------------------------------------------

void FailOnFlag::declare(po::options_description& options) {
  options.add_options()("fail-on", po::value(&name_)->default_value("warning"),
                        "exit 1 at this severity: note, warning, error");
}

Severity FailOnFlag::read() const {
  if (auto severity = severityNamed(name_)) return *severity;
  throw UsageError(fmt::format("unknown --fail-on level '{}'; use note, warning or error", name_));
}

void StaticFlag::declare(po::options_description& options) {
  options.add_options()("static", po::bool_switch(&skip_),
                        "do not read tensor data: code, structure, shapes and dtypes only");
}

// ----- --preset / --passes ---------------------------------------------------

std::optional<PassChoice> presetChoice(std::string_view name) {
  const Preset* preset = findPreset(name);
  if (preset == nullptr) return std::nullopt;
  return PassChoice{"preset " + preset->name, resolvePasses(preset->passes)};
}

void PassChoiceFlags::declare(po::options_description& options, const std::string& default_preset) {
  default_preset_ = default_preset;
  std::vector<std::string> names;
  for (const auto& preset : presets()) names.push_back(preset.name);
  std::string preset_help = "a named pipeline: " + fmt::format("{}", fmt::join(names, ", "));
  if (default_preset.empty()) {
    options.add_options()("preset", po::value(&preset_), preset_help.c_str());
  } else {
    preset_help += ", or none";
    options.add_options()("preset", po::value(&preset_)->default_value(default_preset), preset_help.c_str());
  }
  options.add_options()("passes,p", po::value(&pass_lists_)->multitoken(),
                        "comma-separated passes, run in order (instead of --preset)");
}

PassChoice PassChoiceFlags::read(const po::variables_map& vm) const {
  if (default_preset_.empty()) {
    if (pass_lists_.empty() == preset_.empty()) throw UsageError("give either --passes a,b,c or --preset NAME");
  } else if (!pass_lists_.empty() && !vm["preset"].defaulted()) {
    // --preset has a default here; only one the user typed conflicts.
    throw UsageError("use one of --preset and --passes");
  }
  PassChoice choice;
  if (!pass_lists_.empty()) {
    std::vector<std::string> names;
    for (const auto& list : pass_lists_) {
      for (auto& name : splitCommas(list)) {
        if (!name.empty()) names.push_back(std::move(name));
      }
    }
    if (names.empty()) throw UsageError("--passes names no pass");
    choice.passes = resolvePasses(names);
    choice.pipeline = fmt::format("passes {}", fmt::join(names, ","));
    return choice;
  }
  if (!default_preset_.empty() && preset_ == "none") return choice;
  if (auto preset = presetChoice(preset_)) return *preset;
  std::vector<std::string> names;
  for (const auto& p : presets()) names.push_back(p.name);
  if (!default_preset_.empty()) names.push_back("none");
  throw UsageError(fmt::format("unknown preset '{}'; use one of: {}", preset_, fmt::join(names, ", ")));
}

}  // namespace jitscope::cli
