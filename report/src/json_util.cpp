#include "jitscope/report/json_util.h"

namespace jitscope {

using nlohmann::ordered_json;

ordered_json locationJson(const SourceLocation& location) {
  if (!location.known()) return nullptr;
  ordered_json out{{"file", location.file}, {"line", location.line}};
  out["column"] = location.column == 0 ? ordered_json(nullptr) : ordered_json(location.column);
  return out;
}

ordered_json evidenceJson(const ProvenanceEvidence& evidence) {
  return ordered_json{{"traced_nodes", evidence.traced_nodes},
                      {"scripted_nodes", evidence.scripted_nodes},
                      {"traced_example", locationJson(evidence.traced_example)},
                      {"scripted_example", locationJson(evidence.scripted_example)}};
}

}  // namespace jitscope
