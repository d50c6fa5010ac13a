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

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "jitscope/core/errors.h"
#include "jitscope/inspector/provenance.h"

#include "jitscope/validators/finding.h"

namespace jitscope {

struct LoadedModel;

enum class ProbeInputSource { kGivenOnly, kGivenOrDerived };

struct AuditOptions {
  std::vector<std::string> source_roots;   ///< --source-root
  /// --no-source: audit from the IR only, as if the Python source were gone
  /// (no recorded path or class is looked up).
  bool no_source = false;
  std::string reference;                   ///< --reference SCRIPTED.pt
  std::vector<std::string> inputs;         ///< --inputs FILE.pt (torch.save)
  /// With a reference and no `inputs`: run no probes (kGivenOnly, what `ci`
  /// and `report` ask for), or probe on the example inputs the archive
  /// stores or on inputs derived from it (kGivenOrDerived, `jitscope audit`;
  /// validators/src/probe_inputs.h).
  ProbeInputSource probe_inputs = ProbeInputSource::kGivenOnly;
  size_t probes = 9;                       ///< --probe N: variants per input set
  std::string counterexample_dir = ".";    ///< where counterexamples are saved
  /// --device: the probes run the model and the reference there (inputs
  /// moved along); a trace that fails there on a device mismatch is a
  /// trace-baked-device error.
  std::string device = "cpu";
  std::string command_prefix = "jitscope audit";  ///< for reproduce notes
  /// --probe-budget SECONDS: no probe starts once the probes have taken
  /// this long (the first always runs); 0: no bound. Those not run are
  /// listed in an audit-probe-budget note, and the verdict is unverified.
  double probe_budget_s = 0;
  /// Called before each probe ("probing 3/9: sign-flipped input (input set
  /// 0)"), for a progress line; may be empty.
  std::function<void(const std::string&)> progress;
  /// How the front end names settings in the advice notes ("pass
  /// --source-root DIR" on the command line, the TOML key for ci); empty:
  /// their plain names (core/errors.h).
  SettingNames setting_names;
};

/// What a caller (the model session, session/) already computed for this
/// model, so the audit does not compute it again. Each piece left unset is
/// computed (or loaded) by auditModel itself.
struct AuditContext {
  /// describeModel(model).provenance.verdict(): the provenance the report
  /// states.
  std::optional<Provenance> provenance;
  /// options.reference, already loaded (TensorData::kLoad).
  const LoadedModel* reference = nullptr;
};

AuditReport auditModel(const LoadedModel& model, const AuditOptions& options, const AuditContext& context = {});

}  // namespace jitscope
