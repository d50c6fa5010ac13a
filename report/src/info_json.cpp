#include <map>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "jitscope/report/info_render.h"
#include "jitscope/report/json_util.h"

namespace jitscope {
namespace {

using nlohmann::ordered_json;

ordered_json tensorsJson(const TensorSummary& summary) {
  return ordered_json{{"count", summary.count},
                      {"elements", summary.elements},
                      {"bytes", summary.bytes},
                      {"dtypes", summary.dtypes},
                      {"devices", summary.devices}};
}

// Every operator with its call count and the argument patterns its call
// sites use ("2", "1 + dim, keepdim"): what a target's schemas must accept.
ordered_json requirementsJson(const ModelRequirements& needs) {
  std::map<std::string, std::map<std::string, size_t>> signatures;
  for (const auto& call : needs.calls) ++signatures[call.op][call.signature()];
  ordered_json operators = ordered_json::array();
  for (const auto& [op, patterns] : signatures) {
    size_t calls = 0;
    for (const auto& [pattern, count] : patterns) calls += count;
    operators.push_back({{"name", op}, {"calls", calls}, {"arguments", patterns}});
  }
  ordered_json bytecode = nullptr;
  if (needs.bytecode) {
    // One entry per exact overload, with the methods whose tables list it.
    std::map<std::string, std::pair<std::optional<size_t>, std::set<std::string>>> tables;
    for (const auto& op : needs.bytecode->operators) {
      auto& [arguments, methods] = tables[op.fullName()];
      if (op.arguments && (!arguments || *op.arguments > *arguments)) arguments = op.arguments;
      methods.insert(op.method);
    }
    ordered_json ops = ordered_json::array();
    for (const auto& [name, table] : tables) {
      ops.push_back({{"name", name},
                     {"arguments", table.first ? ordered_json(*table.first) : ordered_json(nullptr)},
                     {"methods", table.second}});
    }
    bytecode = {{"version", needs.bytecode->version}, {"methods", needs.bytecode->methods}, {"operators", ops}};
  }
  return ordered_json{{"format_version", needs.format_version},
                      {"producer", needs.producer},
                      {"operators", operators},
                      {"custom_classes", needs.customClassNames()},
                      {"devices", needs.deviceNames()},
                      {"dtypes", needs.dtypeNames()},
                      {"bytecode", bytecode}};
}

}  // namespace

std::string renderInfoJson(const ModuleInfo& info, const ModelRequirements& needs) {
  const ArchiveInfo& a = info.archive;
  ordered_json out;
  out["file"] = a.path;
  out["size"] = a.file_size;
  out["provenance"] = std::string(toString(info.provenance.verdict()));
  out["provenance_evidence"] = evidenceJson(info.provenance);
  out["archive"] = ordered_json{
      {"prefix", a.prefix},
      {"format_version", a.format_version},
      {"supported_versions", {a.min_supported_version, a.max_supported_version}},
      {"byte_order", a.byte_order.empty() ? ordered_json(nullptr) : ordered_json(a.byte_order)},
      {"serialization_id", a.serialization_id.empty() ? ordered_json(nullptr)
                                                      : ordered_json(a.serialization_id)},
      {"records", a.record_count},
      {"code_files", a.code_files},
      {"debug_info", a.hasDebugInfo()},
      {"debug_files", a.debug_files},
      {"tensor_records", a.tensor_records},
      {"tensor_bytes", a.tensor_bytes},
      {"constant_records", a.constant_records},
      {"constant_bytes", a.constant_bytes},
      {"traced_inputs", a.has_traced_inputs},
      {"traced_input_records", a.traced_input_records},
      {"extra_files", a.extra_files}};
  out["producer"] = needs.producer;  // inferred from the records: archives do not name it
  out["layout"] = a.writtenByTorch2() ? "torch-2.x" : "torch-1.x";
  out["linked_torch"] = info.linked_torch_version;

  ordered_json modules = ordered_json::array();
  for (const auto& m : info.modules) {
    ordered_json methods = ordered_json::array();
    for (const auto& method : m.methods) {
      methods.push_back({{"name", method.name},
                         {"schema", method.schema},
                         {"provenance", std::string(toString(method.provenance.verdict()))},
                         {"evidence", evidenceJson(method.provenance)}});
    }
    modules.push_back({{"path", m.path},
                       {"type", m.type_name},
                       {"depth", m.depth},
                       {"provenance", std::string(toString(m.verdict))},
                       {"provenance_from_submodules", m.verdict_from_submodules},
                       {"methods", methods}});
  }
  out["modules"] = modules;
  out["parameters"] = tensorsJson(info.parameters);
  out["buffers"] = tensorsJson(info.buffers);
  if (info.forward.method.empty()) {
    out["graph"] = nullptr;
    out["ops"] = ordered_json::object();
  } else {
    out["graph"] = ordered_json{{"method", info.forward.method},
                                {"inlined", true},
                                {"nodes", info.forward.nodes},
                                {"if", info.forward.if_nodes},
                                {"loop", info.forward.loop_nodes}};
    out["ops"] = info.forward.ops;
  }
  // What a CI step greps for: a cpu-pinned op in a model served on CUDA.
  ordered_json devices = ordered_json::array();
  for (const auto& d : info.pinned_devices) {
    devices.push_back({{"device", d.device},
                       {"op", d.op},
                       {"location", d.location.known() ? ordered_json(d.location.str()) : ordered_json(nullptr)},
                       {"count", d.count}});
  }
  out["devices"] = devices;
  out["requires"] = requirementsJson(needs);
  return out.dump(2) + "\n";
}

}  // namespace jitscope
