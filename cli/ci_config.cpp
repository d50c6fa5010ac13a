#include "ci_config.h"

#include <toml++/toml.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "option_groups.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/suggest.h"
#include "jitscope/core/toml_depth.h"
#include "jitscope/validators/check_request.h"
#include "jitscope/validators/target.h"

namespace jitscope::cli {
namespace {

namespace fs = std::filesystem;

class Reader {
 public:
  Reader(std::string file, fs::path base) : file_(std::move(file)), base_(std::move(base)) {}

  [[noreturn]] void fail(const toml::node& node, const std::string& problem) const {
    const auto line = node.source().begin.line;
    throw InputError(file_, line > 0 ? fmt::format("line {}: {}", line, problem) : problem);
  }

  void onlyKeys(const toml::table& table, const std::string& where, const std::vector<std::string>& keys) const {
    for (const auto& [key, value] : table) {
      const std::string name(key.str());
      if (std::find(keys.begin(), keys.end(), name) != keys.end()) continue;
      const auto suggestion = closestMatch(name, keys);
      fail(value, fmt::format("unknown key '{}' in {}{}", name, where,
                              suggestion ? fmt::format("; did you mean '{}'?", *suggestion)
                                         : fmt::format("; known keys: {}", fmt::join(keys, ", "))));
    }
  }

  template <typename T>
  std::optional<T> get(const toml::table& table, const std::string& key, const char* type) const {
    const toml::node* node = table.get(key);
    if (!node) return std::nullopt;
    if constexpr (std::is_same_v<T, double>) {
      if (auto v = node->value<double>()) return *v;
    } else {
      if (auto v = node->value<T>()) return *v;
    }
    fail(*node, fmt::format("'{}' must be {}", key, type));
  }

  std::string path(const toml::table& table, const std::string& key) const {
    const auto text = get<std::string>(table, key, "a string (a path)");
    if (!text || text->empty()) return "";
    const fs::path p(*text);
    return p.is_absolute() ? p.string() : (base_ / p).lexically_normal().string();
  }

  std::vector<std::string> strings(const toml::table& table, const std::string& key, bool paths) const {
    std::vector<std::string> out;
    const toml::node* node = table.get(key);
    if (!node) return out;
    const toml::array* array = node->as_array();
    if (!array) fail(*node, fmt::format("'{}' must be a list of strings", key));
    for (const auto& item : *array) {
      const auto text = item.value<std::string>();
      if (!text) fail(item, fmt::format("'{}' must be a list of strings", key));
      out.push_back(paths && !fs::path(*text).is_absolute() ? (base_ / *text).lexically_normal().string() : *text);
    }
    return out;
  }

  const toml::table* section(const toml::table& table, const std::string& key) const {
    const toml::node* node = table.get(key);
    if (!node) return nullptr;
    if (!node->is_table()) fail(*node, fmt::format("'{}' must be a table ([model.{}])", key, key));
    return node->as_table();
  }

  std::vector<std::string> readAllowFile(const std::string& path) const {
    std::ifstream in(path);
    if (!in) throw InputError(path, "cannot read the op allow-list");
    std::vector<std::string> ops;
    std::string line;
    while (std::getline(in, line)) {
      line = line.substr(0, line.find('#'));
      line.erase(0, line.find_first_not_of(" \t\r"));
      line.erase(line.find_last_not_of(" \t\r") + 1);
      if (!line.empty()) ops.push_back(line);
    }
    return ops;
  }

  CiModelConfig model(const toml::table& table, size_t index) const {
    const std::string where = fmt::format("[[model]] #{}", index + 1);
    onlyKeys(table, where, {"name", "path", "inputs", "load_library", "audit", "diff", "ops", "target", "check"});
    CiModelConfig model;
    model.path = path(table, "path");
    if (model.path.empty()) fail(table, fmt::format("{} has no 'path' (the .pt to check)", where));
    model.name = get<std::string>(table, "name", "a string").value_or(fs::path(model.path).stem().string());
    model.inputs = path(table, "inputs");
    model.libraries = strings(table, "load_library", /*paths=*/true);
    if (const toml::table* audit = section(table, "audit")) {
      onlyKeys(*audit, "[model.audit]", {"fail-on", "reference", "source-root", "probe", "probe-budget", "unverified"});
      model.audit.enabled = true;
      const std::string fail_on =
          get<std::string>(*audit, "fail-on", "\"note\", \"warning\" or \"error\"").value_or("warning");
      if (auto severity = severityNamed(fail_on)) {
        model.audit.fail_on = *severity;
      } else {
        fail(*audit->get("fail-on"), fmt::format("unknown fail-on level '{}'; use note, warning or error", fail_on));
      }
      model.audit.reference = path(*audit, "reference");
      model.audit.source_roots = strings(*audit, "source-root", /*paths=*/true);
      model.audit.probe = get<bool>(*audit, "probe", "true or false").value_or(false);
      model.audit.probe_budget = get<double>(*audit, "probe-budget", "a number of seconds").value_or(0);
      if (model.audit.probe_budget < 0) fail(*audit->get("probe-budget"), "'probe-budget' must be 0 or more seconds");
      const std::string unverified =
          get<std::string>(*audit, "unverified", "\"pass\" or \"fail\"").value_or("pass");
      if (unverified != "pass" && unverified != "fail") {
        fail(*audit->get("unverified"),
             fmt::format("unknown unverified policy '{}'; use pass or fail", unverified));
      }
      model.audit.fail_unverified = unverified == "fail";
      if (model.audit.probe && (model.audit.reference.empty() || model.inputs.empty())) {
        fail(*audit, "probe = true needs 'reference' and the model's 'inputs'");
      }
    }
    if (const toml::table* diff = section(table, "diff")) {
      onlyKeys(*diff, "[model.diff]", {"snapshot", "rtol", "atol"});
      model.diff.enabled = true;
      model.diff.snapshot = path(*diff, "snapshot");
      if (model.diff.snapshot.empty()) fail(*diff, "[model.diff] needs 'snapshot' (from `jitscope snapshot`)");
      model.diff.rtol = get<double>(*diff, "rtol", "a number");
      model.diff.atol = get<double>(*diff, "atol", "a number");
    }
    if (const toml::table* ops = section(table, "ops")) {
      onlyKeys(*ops, "[model.ops]", {"allow", "allow-file"});
      model.ops.enabled = true;
      model.ops.allow = strings(*ops, "allow", /*paths=*/false);
      const std::string allow_file = path(*ops, "allow-file");
      if (!allow_file.empty()) {
        for (auto& op : readAllowFile(allow_file)) model.ops.allow.push_back(std::move(op));
      }
    }
    if (const toml::table* target = section(table, "target")) {
      onlyKeys(*target, "[model.target]", {"target", "device", "runtime"});
      model.target.enabled = true;
      const auto name = get<std::string>(*target, "target", "a string");
      if (!name || name->empty()) {
        fail(*target, "[model.target] needs 'target' (a bundled name such as libtorch-1.13, or a file from "
                      "`jitscope target-info`)");
      }
      // A bundled name stays a name; anything else is a file beside the config.
      const auto bundled = bundledTargetNames();
      model.target.target = std::find(bundled.begin(), bundled.end(), *name) != bundled.end()
                                ? *name
                                : path(*target, "target");
      model.target.device = get<std::string>(*target, "device", "a string").value_or("");
      if (!model.target.device.empty() && model.target.device != "cpu" &&
          model.target.device.rfind("cuda", 0) != 0) {
        fail(*target, "[model.target] device must be \"cpu\" or \"cuda\"");
      }
      const std::string runtime = get<std::string>(*target, "runtime", "a string").value_or("auto");
      const auto loader = parseCompatRuntime(runtime);
      if (!loader) fail(*target, "[model.target] runtime must be \"auto\", \"full\" or \"lite\"");
      model.target.runtime = *loader;
    }
    if (const toml::table* check = section(table, "check")) {
      onlyKeys(*check, "[model.check]", {"against", "expected", "devices", "rtol", "atol", "localize"});
      model.check.enabled = true;
      model.check.against = path(*check, "against");
      model.check.expected = path(*check, "expected");
      const auto devices = strings(*check, "devices", /*paths=*/false);
      if (!devices.empty()) model.check.devices = devices;
      model.check.rtol = get<double>(*check, "rtol", "a number");
      model.check.atol = get<double>(*check, "atol", "a number");
      model.check.localize = get<bool>(*check, "localize", "true or false").value_or(false);
      if (model.inputs.empty()) fail(*check, "[model.check] needs the model's 'inputs'");
      CheckRequestShape shape;
      shape.against = !model.check.against.empty();
      shape.expected = !model.check.expected.empty();
      shape.devices = model.check.devices.size();
      shape.localize = model.check.localize;
      shape.inputs = true;
      if (const auto problem = checkRequestProblem(shape)) fail(*check, tomlWording(*problem));
    }
    if (!model.audit.enabled && !model.diff.enabled && !model.ops.enabled && !model.check.enabled &&
        !model.target.enabled) {
      fail(table, fmt::format("model '{}' has no checks; add [model.audit], [model.diff], [model.ops], [model.target] or [model.check]",
                              model.name));
    }
    return model;
  }

 private:
  std::string file_;
  fs::path base_;
};

}  // namespace

CiConfig readCiConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path, "cannot read the configuration file");
  const std::string extension = fs::path(path).extension().string();
  if (extension == ".yaml" || extension == ".yml") {
    throw InputError(path, "YAML configurations are not supported; write the same keys as TOML (docs/commands/ci.md)");
  }
  std::stringstream text;
  text << in.rdbuf();
  if (const auto why = findExcessiveTomlNesting(text.str())) {
    throw InputError(path, *why + "; flatten the configuration (docs/commands/ci.md)");
  }
  toml::table root;
  try {
    root = toml::parse(text.str(), path);
  } catch (const toml::parse_error& e) {
    throw InputError(path, fmt::format("line {}: {}", e.source().begin.line, e.description()));
  }
  CiConfig config;
  config.file = path;
  const Reader reader(path, fs::absolute(path).parent_path());
  reader.onlyKeys(root, "the top level", {"jobs", "model"});
  if (const auto jobs = reader.get<int64_t>(root, "jobs", "a positive integer")) {
    if (*jobs < 1) reader.fail(*root.get("jobs"), "'jobs' must be a positive integer");
    config.jobs = static_cast<unsigned>(*jobs);
  }
  const toml::node* models = root.get("model");
  const toml::array* array = models ? models->as_array() : nullptr;
  if (!array || array->empty()) throw InputError(path, "no models; add a [[model]] table with a 'path'");
  for (size_t i = 0; i < array->size(); ++i) {
    const toml::table* table = (*array)[i].as_table();
    if (!table) reader.fail((*array)[i], "each 'model' must be a table ([[model]])");
    config.models.push_back(reader.model(*table, i));
    for (size_t j = 0; j + 1 < config.models.size(); ++j) {
      if (config.models[j].name == config.models.back().name) {
        reader.fail(*table, fmt::format("two models are named '{}'; give one a different 'name'", config.models[j].name));
      }
    }
  }
  return config;
}

namespace {

// The key that gives a setting, where ci has one.
std::optional<std::string> tomlKey(Setting setting) {
  switch (setting) {
    case Setting::kDevice: return "[model.check] 'devices'";
    case Setting::kExpected: return "[model.check] 'expected'";
    case Setting::kInputs: return "the model's 'inputs'";
    case Setting::kSourceRoot: return "[model.audit] 'source-root'";
    case Setting::kProbeBudget: return "[model.audit] 'probe-budget'";
    case Setting::kProbes:
    case Setting::kIterations:
    case Setting::kFocus: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string tomlAdvice(Setting setting) {
  switch (setting) {
    case Setting::kSourceRoot: return "source-root = [\"DIR\"] in [model.audit]";
    case Setting::kProbeBudget: return "probe-budget = SECONDS in [model.audit]";
    default: return tomlKey(setting).value_or(std::string(settingName(setting)));
  }
}

std::string tomlWording(const SettingError& error) {
  const std::string name = tomlKey(error.setting()).value_or(std::string(settingName(error.setting())));
  std::string text = error.value().empty() ? fmt::format("{} {}", name, error.problem())
                                           : fmt::format("{} has '{}': {}", name, printable(error.value()), error.problem());
  if (!error.allowed().empty()) text += "; " + error.allowed();
  return text;
}

std::string tomlWording(CheckRequestProblem problem) {
  switch (problem) {
    case CheckRequestProblem::kDeviceCount:
      return "[model.check] 'devices' takes one device or two (expected side, actual side), e.g. [\"cpu\", \"cuda\"]";
    case CheckRequestProblem::kExpectedAndAgainst:
      return "[model.check] has both 'against' and 'expected', which both give the expected side; keep one";
    case CheckRequestProblem::kExpectedOnTwoDevices:
      return "[model.check] 'expected' compares with saved outputs; give one of 'devices', not two";
    case CheckRequestProblem::kNothingToCompare:
      return "[model.check] needs 'against', 'expected' or two 'devices' (e.g. [\"cpu\", \"cuda\"])";
    case CheckRequestProblem::kLocalizeWithExpected:
      return "[model.check] 'localize = true' runs both sides node by node, so it needs 'against' or two "
             "'devices', not 'expected'";
    case CheckRequestProblem::kNoInputs:
      return "[model.check] needs the model's 'inputs'";
  }
  return "";
}

}  // namespace jitscope::cli
