// Reads the findings of an audit report (`jitscope audit --format json`)
// back as spots to colour in a drawing (`jitscope graph --highlight`).
#pragma once

#include <string>
#include <vector>

#include "jitscope/report/graph_view.h"

namespace jitscope {

/// Throws InputError naming `path` when it is not an audit JSON report.
std::vector<HighlightSpot> readAuditHighlights(const std::string& path);

}  // namespace jitscope
