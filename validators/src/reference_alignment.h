// Aligning a traced model with a scripted reference of the same code: every
// prim::If / prim::Loop that the reference keeps at a Python line where the
// trace has none was frozen or unrolled by tracing. What the condition
// depends on (data, shape, self.training, nothing) is read off the
// reference's own IR.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "jitscope/validators/finding.h"

namespace torch::jit {
struct Graph;
}

namespace jitscope {

/// `local_path` turns a recorded file path into the one findings use, so
/// that the trace's and the reference's lines meet (SourceLocator's re-rooting,
/// or the path as recorded under --no-source). `traced_in_training` is the
/// traced model's saved mode: traced in eval mode, a reference branch on
/// self.training froze the branch deployment runs, which is no loss.
void alignWithReference(const torch::jit::Graph& traced_inlined,
                        const torch::jit::Graph& reference_inlined,
                        const std::function<std::string(const std::string&)>& local_path,
                        bool traced_in_training, std::vector<Finding>& out);

}  // namespace jitscope
