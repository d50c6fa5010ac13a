// Renderers for `jitscope diff`: text a reviewer reads, JSON a script reads.
#pragma once

#include <string>

#include "jitscope/validators/snapshot_diff.h"

namespace jitscope {

/// "schema: forward: 'forward(Tensor x) -> Tensor' -> ...", graph details
/// indented under their method, notes, then one summary line.
std::string renderDiffText(const SnapshotDiff& diff);
/// {"old", "new", "same", "changes": [{"kind", "subject", "message", "details"}], "notes"}.
std::string renderDiffJson(const SnapshotDiff& diff);

}  // namespace jitscope
