// Target files: the JSON that `jitscope target-info` writes, the bundled
// tables (the same JSON), and selective-build operator lists (YAML).
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bundled_targets.h"
#include "jitscope/core/errors.h"
#include "jitscope/validators/target.h"

namespace jitscope {
namespace {

using nlohmann::ordered_json;

// Bumped when a field changes meaning; readers refuse newer files.
constexpr int kTargetFileVersion = 1;
// A target file is a few hundred KiB; refuse anything that is clearly not one
// before reading it into memory.
constexpr std::uintmax_t kMaxTargetFileBytes = 64u << 20;

std::string readFileText(const std::string& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw InputError(path, "cannot read target file: " + error.message());
  if (size > kMaxTargetFileBytes) {
    throw InputError(path, "is " + std::to_string(size) +
                               " bytes, too large for a target file (write one with `jitscope target-info -o FILE`)");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw InputError(path, "cannot read target file");
  return text.str();
}

std::string trim(std::string_view text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string_view::npos) return "";
  const auto end = text.find_last_not_of(" \t\r");
  std::string out(text.substr(begin, end - begin + 1));
  if (out.size() >= 2 && (out.front() == '"' || out.front() == '\'') && out.back() == out.front()) {
    out = out.substr(1, out.size() - 2);
  }
  return out;
}

// Selective-build operator lists come in two shapes:
//  - a YAML list of names, as `yaml.dump(torch.jit.export_opnames(m))` writes:
//      - aten::add.Tensor
//  - selected_operators.yaml from tools/code_analyzer/gen_oplist.py:
//      operators:
//        aten::add.Tensor:
//          include_all_overloads: false
//      custom_classes:
//      - quantized.LinearPackedParamsBase
// Only those keys matter here; everything else in the file is ignored.
TargetProfile parseOperatorList(const std::string& text, const std::string& origin) {
  TargetProfile target;
  target.name = origin;
  target.operator_list_only = true;
  std::string section;  // top-level key we are under, "" for a bare list
  std::string current_operator;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto hash = line.find(" #");
    if (hash != std::string::npos) line.erase(hash);
    if (trim(line).empty() || line[0] == '#') continue;
    const size_t indent = line.find_first_not_of(' ');
    const std::string body = trim(line);
    if (indent == 0 && body.back() == ':') {
      section = body.substr(0, body.size() - 1);
      current_operator.clear();
      continue;
    }
    if (indent == 0 && body.rfind("- ", 0) != 0) {
      section = "other";  // a top-level scalar such as `include_all_operators: false`
      continue;
    }
    if (body.rfind("- ", 0) == 0 && (section.empty() || section == "custom_classes")) {
      const std::string item = trim(body.substr(2));
      if (section.empty()) target.operator_names.push_back(item);
      else target.custom_classes.push_back(item);
      continue;
    }
    if (section == "operators" && indent == 2 && body.back() == ':') {
      current_operator = trim(body.substr(0, body.size() - 1));
      target.operator_names.push_back(current_operator);
      continue;
    }
    if (section == "operators" && indent > 2 && !current_operator.empty() &&
        body == "include_all_overloads: true") {
      // The whole operator is kept: "NS::op.*" matches any overload.
      const auto dot = current_operator.find('.');
      target.operator_names.push_back(current_operator.substr(0, dot) + ".*");
    }
  }
  if (target.operator_names.empty()) {
    throw InputError(origin,
                     "is neither a jitscope target file nor a selective-build operator list "
                     "(no `- NS::op` lines and no `operators:` map); write a target with `jitscope target-info -o FILE`");
  }
  std::sort(target.operator_names.begin(), target.operator_names.end());
  target.operator_names.erase(std::unique(target.operator_names.begin(), target.operator_names.end()),
                              target.operator_names.end());
  return target;
}

std::vector<std::string> stringList(const ordered_json& json, const char* key) {
  std::vector<std::string> out;
  if (!json.contains(key)) return out;
  for (const auto& item : json.at(key)) out.push_back(item.get<std::string>());
  return out;
}

}  // namespace

std::string targetProfileJson(const TargetProfile& target) {
  ordered_json json;
  json["jitscope_target"] = kTargetFileVersion;
  json["torch_version"] = target.torch_version;
  json["file_format_versions"] = {{"min", target.min_file_format}, {"max", target.max_file_format}};
  json["bytecode_versions"] = {{"min", target.min_bytecode}, {"max", target.max_bytecode}};
  json["cuda"] = target.cuda;
  json["quantized_engines"] = target.quantized_engines;
  json["custom_classes"] = target.custom_classes;
  json["libraries"] = target.libraries;
  json["operators"] = target.schemas;
  // One schema per line: a diff of two targets reads as a list of operators.
  return json.dump(1) + "\n";
}

TargetProfile parseTargetProfile(const std::string& text, const std::string& origin) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || text[first] != '{') return parseOperatorList(text, origin);
  try {
    const ordered_json json = ordered_json::parse(text);
    if (!json.is_object() || !json.contains("jitscope_target")) {
      throw InputError(origin, "is JSON but not a jitscope target file (no \"jitscope_target\" key); "
                               "write one with `jitscope target-info -o FILE`");
    }
    const int version = json.at("jitscope_target").get<int>();
    if (version > kTargetFileVersion) {
      throw InputError(origin, "is target file version " + std::to_string(version) +
                                   "; this jitscope reads version " + std::to_string(kTargetFileVersion) +
                                   " (write it again with this jitscope's target-info)");
    }
    TargetProfile target;
    target.name = origin;
    target.torch_version = json.at("torch_version").get<std::string>();
    target.min_file_format = json.at("file_format_versions").at("min").get<uint64_t>();
    target.max_file_format = json.at("file_format_versions").at("max").get<uint64_t>();
    target.min_bytecode = json.at("bytecode_versions").at("min").get<uint64_t>();
    target.max_bytecode = json.at("bytecode_versions").at("max").get<uint64_t>();
    target.cuda = json.at("cuda").get<bool>();
    target.quantized_engines = stringList(json, "quantized_engines");
    target.custom_classes = stringList(json, "custom_classes");
    target.libraries = stringList(json, "libraries");
    target.schemas = stringList(json, "operators");
    return target;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(origin, std::string("is not a valid target file: ") + e.what() +
                                 " (write one with `jitscope target-info -o FILE`)");
  }
}

std::vector<std::string> bundledTargetNames() {
  std::vector<std::string> names;
  for (const auto& target : detail::bundledTargets()) names.emplace_back(target.name);
  return names;
}

TargetProfile loadTarget(const std::string& name_or_path) {
  for (const auto& bundled : detail::bundledTargets()) {
    if (name_or_path == bundled.name) return parseTargetProfile(std::string(bundled.text), bundled.name);
  }
  std::error_code error;
  if (!std::filesystem::exists(name_or_path, error)) {
    std::string names;
    for (const auto& name : bundledTargetNames()) names += (names.empty() ? "" : ", ") + name;
    throw UsageError("unknown target '" + name_or_path + "': not a file, and the bundled targets are " + names +
                     " (write your own with `jitscope target-info -o FILE` on the target machine)");
  }
  return parseTargetProfile(readFileText(name_or_path), name_or_path);
}

}  // namespace jitscope
