// `jitscope audit`: find the behaviour tracing lost in a saved model.
//
// Three sources of evidence, combined into one report:
//  1. static: the user's Python source of every traced method, read through
//     the call stacks the archive records, analysed for control flow and
//     values that tracing cannot keep (source_analysis.cpp); plus IR-only
//     checks (dropout or batch norm traced in training mode);
//  2. a scripted reference of the same model: each prim::If / prim::Loop it
//     keeps at a line where the trace has none (reference_alignment.cpp);
//  3. dynamic proof: the traced model and the reference run on the given
//     inputs and variants of them; a divergence is an error with a saved
//     counterexample (probes.cpp).
#pragma once

#include <string>
#include <vector>

#include "jitscope/validators/finding.h"

namespace jitscope {

struct LoadedModel;

struct AuditOptions {
  std::vector<std::string> source_roots;   ///< --source-root
  /// --no-source: audit from the IR only, as if the Python source were gone
  /// (no recorded path or class is looked up).
  bool no_source = false;
  std::string reference;                   ///< --reference SCRIPTED.pt
  std::vector<std::string> inputs;         ///< --inputs FILE.pt (torch.save)
  size_t probes = 9;                       ///< --probe N: variants per input set
  std::string counterexample_dir = ".";    ///< where counterexamples are saved
  std::string command_prefix = "jitscope audit";  ///< for reproduce notes
};

AuditReport auditModel(const LoadedModel& model, const AuditOptions& options);

}  // namespace jitscope
