// Snapshot <-> JSON. Keys in a fixed order, arrays sorted by name, so two
// snapshots of the same model are byte-identical and `git diff` reads well.
#include <nlohmann/json.hpp>

#include "jitscope/core/errors.h"
#include "jitscope/validators/snapshot.h"

namespace jitscope {
namespace {

using nlohmann::ordered_json;

constexpr const char* kFormat = "jitscope-snapshot";

ordered_json tensorJson(const TensorRecord& t, bool output) {
  ordered_json out{{output ? "path" : "name", t.name}, {"dtype", t.dtype}, {"shape", t.shape}, {"digest", t.digest}};
  if (output) {
    out["min"] = t.min;
    out["max"] = t.max;
    out["mean"] = t.mean;
    out["values"] = t.has_values ? ordered_json(t.values) : ordered_json(nullptr);
  }
  return out;
}

TensorRecord tensorFrom(const ordered_json& j, bool output) {
  TensorRecord t;
  t.name = j.at(output ? "path" : "name").get<std::string>();
  t.dtype = j.at("dtype").get<std::string>();
  t.shape = j.at("shape").get<std::vector<int64_t>>();
  t.digest = j.at("digest").get<std::string>();
  if (output) {
    t.min = j.value("min", 0.0);
    t.max = j.value("max", 0.0);
    t.mean = j.value("mean", 0.0);
    if (j.contains("values") && j.at("values").is_array()) {
      t.values = j.at("values").get<std::vector<double>>();
      t.has_values = true;
    }
  }
  return t;
}

}  // namespace

std::string snapshotToJson(const Snapshot& s) {
  ordered_json methods = ordered_json::array();
  for (const auto& m : s.methods) {
    ordered_json structure = ordered_json::object();
    for (const auto& [key, count] : m.structure) structure[key] = count;
    methods.push_back({{"name", m.name},
                       {"schema", m.schema},
                       {"fingerprint", m.fingerprint},
                       {"nodes", m.nodes},
                       {"structure", structure}});
  }
  ordered_json parameters = ordered_json::array();
  for (const auto& p : s.parameters) parameters.push_back(tensorJson(p, false));
  ordered_json findings = ordered_json::array();
  for (const auto& f : s.findings) {
    findings.push_back({{"check", f.check}, {"severity", f.severity}, {"location", f.location}, {"message", f.message}});
  }
  ordered_json devices = ordered_json::array();
  for (const auto& d : s.devices) {
    devices.push_back({{"device", d.device}, {"op", d.op}, {"location", d.location}, {"count", d.count}});
  }
  ordered_json outputs = ordered_json::array();
  for (const auto& o : s.outputs) outputs.push_back(tensorJson(o, true));
  ordered_json out{{"format", kFormat},
                   {"version", Snapshot::kFormatVersion},
                   {"model", s.model},
                   {"libtorch", s.libtorch},
                   {"provenance", s.provenance},
                   {"methods", methods},
                   {"ops", s.ops},
                   {"parameters", parameters},
                   {"devices", devices},
                   {"findings", findings},
                   {"inputs", s.inputs.empty() ? ordered_json(nullptr)
                                               : ordered_json{{"file", s.inputs},
                                                              {"digest", s.inputs_digest},
                                                              {"rng", s.outputs_rng.empty() ? ordered_json(nullptr)
                                                                                           : ordered_json(s.outputs_rng)}}},
                   {"outputs", outputs}};
  return out.dump(1) + "\n";
}

Snapshot snapshotFromJson(const std::string& text, const std::string& path) {
  ordered_json j;
  try {
    j = ordered_json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || j.value("format", "") != kFormat) {
    throw InputError(path, "not a jitscope snapshot (no \"format\": \"jitscope-snapshot\"); make one with `jitscope snapshot MODEL -o FILE`");
  }
  if (j.value("version", 0) != Snapshot::kFormatVersion) {
    throw InputError(path, "snapshot format version " + j.value("version", ordered_json()).dump() +
                               " is not supported (this jitscope reads version " +
                               std::to_string(Snapshot::kFormatVersion) + "); take the snapshot again");
  }
  try {
    Snapshot s;
    s.model = j.at("model").get<std::string>();
    s.libtorch = j.at("libtorch").get<std::string>();
    s.provenance = j.at("provenance").get<std::string>();
    for (const auto& m : j.at("methods")) {
      MethodSnapshot method;
      method.name = m.at("name").get<std::string>();
      method.schema = m.at("schema").get<std::string>();
      method.fingerprint = m.at("fingerprint").get<std::string>();
      method.nodes = m.at("nodes").get<size_t>();
      for (const auto& [key, count] : m.at("structure").items()) method.structure[key] = count.get<size_t>();
      s.methods.push_back(std::move(method));
    }
    s.ops = j.at("ops").get<std::vector<std::string>>();
    for (const auto& p : j.at("parameters")) s.parameters.push_back(tensorFrom(p, false));
    // Absent in snapshots taken before pinned devices were recorded.
    for (const auto& d : j.value("devices", ordered_json::array())) {
      s.devices.push_back({d.at("device").get<std::string>(), d.at("op").get<std::string>(),
                           d.at("location").get<std::string>(), d.at("count").get<size_t>()});
    }
    for (const auto& f : j.at("findings")) {
      s.findings.push_back({f.at("check").get<std::string>(), f.at("severity").get<std::string>(),
                            f.at("location").get<std::string>(), f.at("message").get<std::string>()});
    }
    if (j.at("inputs").is_object()) {
      s.inputs = j.at("inputs").at("file").get<std::string>();
      s.inputs_digest = j.at("inputs").at("digest").get<std::string>();
      const auto rng = j.at("inputs").find("rng");  // absent in snapshots taken before it was recorded
      if (rng != j.at("inputs").end() && rng->is_string()) s.outputs_rng = rng->get<std::string>();
    }
    for (const auto& o : j.at("outputs")) s.outputs.push_back(tensorFrom(o, true));
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, std::string("malformed snapshot: ") + e.what());
  }
}

}  // namespace jitscope
