// JSON pieces several renderers share.
#pragma once

#include <nlohmann/json.hpp>

#include "jitscope/inspector/provenance.h"

namespace jitscope {

/// {"file", "line", "column"} or null when unknown.
nlohmann::ordered_json locationJson(const SourceLocation& location);

/// {"traced_nodes", "scripted_nodes", "traced_example", "scripted_example"}.
nlohmann::ordered_json evidenceJson(const ProvenanceEvidence& evidence);

}  // namespace jitscope
