// Dynamic proof: run the traced model and its scripted reference on the
// given inputs and on variants of them (sign flips, scales, other batch and
// trailing sizes, shifted integers); a disagreement proves the trace lost
// behaviour and is saved as a counterexample that torch.load reads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "jitscope/validators/finding.h"
#include "jitscope/validators/trace_audit.h"

namespace c10 {
struct IValue;
}
namespace torch::jit {
struct Module;
}

namespace jitscope {

struct ProbeOutcome {
  size_t probes_run = 0;  ///< variants the reference accepted
  std::vector<std::string> variants;  ///< names of those variants
  std::vector<Finding> divergences;
  /// For each top-level prim::If of the reference, by (canonical file,
  /// line): which way its condition went over the probes (bit 1: true, bit
  /// 2: false). A frozen branch only counts as harmless when the probes
  /// drove the reference down both sides and the trace still agreed.
  std::map<std::pair<std::string, size_t>, unsigned> branch_sides;
  /// An audit-probe-budget note when --probe-budget stopped the probes
  /// (it lists those not run).
  std::optional<Finding> budget_note;
};

ProbeOutcome probeAgainstReference(const torch::jit::Module& traced,
                                   const torch::jit::Module& reference,
                                   const std::vector<std::vector<c10::IValue>>& input_sets,
                                   const std::string& model_path, const AuditOptions& options);

}  // namespace jitscope
