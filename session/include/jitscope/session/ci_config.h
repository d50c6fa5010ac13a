// `jitscope ci`'s configuration as data: a list of models and the checks
// each must pass. cli/ci_config.cpp reads it from the TOML file (format:
// docs/commands/ci.md); session/ci_steps.cpp runs it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "jitscope/core/diagnostics.h"
#include "jitscope/validators/compat.h"

namespace jitscope {

struct CiAuditConfig {
  bool enabled = false;
  Severity fail_on = Severity::kWarning;
  std::string reference;
  std::vector<std::string> source_roots;
  bool probe = false;  ///< run --inputs probes against the reference
  double probe_budget = 0;  ///< probe-budget: seconds for the probes (0: no bound)
  bool fail_unverified = false;  ///< unverified = "fail": an unread model fails the step
};

struct CiDiffConfig {
  bool enabled = false;
  std::string snapshot;  ///< committed snapshot (or .pt) to compare with
  std::optional<double> rtol;
  std::optional<double> atol;
};

struct CiOpsConfig {
  bool enabled = false;
  /// "aten::add.Tensor" allows that overload, "aten::add" every overload.
  std::vector<std::string> allow;
};

/// [model.target]: `jitscope compat` against a deploy target.
struct CiTargetConfig {
  bool enabled = false;
  std::string target;  ///< bundled name, target file or operator list (resolved like paths when a file)
  std::string device;  ///< served on there: "cpu", "cuda", "" for not said
  CompatRuntime runtime = CompatRuntime::kAuto;  ///< `runtime = "lite"`: the target's loader
};

/// `jitscope check` on the model's inputs: against another export, saved
/// outputs, or across devices.
struct CiCheckConfig {
  bool enabled = false;
  std::string against;   ///< another export of the model
  std::string expected;  ///< outputs saved by torch.save / --save-outputs
  std::vector<std::string> devices = {"cpu"};
  std::optional<double> rtol;
  std::optional<double> atol;
  bool localize = false;
};

struct CiModelConfig {
  std::string name;
  std::string path;    ///< resolved against the config file's folder
  std::string inputs;  ///< torch.save'd inputs of forward; "" for none
  std::vector<std::string> libraries;  ///< load_library: operator libraries (--load-library)
  CiAuditConfig audit;
  CiDiffConfig diff;
  CiOpsConfig ops;
  CiTargetConfig target;
  CiCheckConfig check;
};

struct CiConfig {
  std::string file;
  unsigned jobs = 0;  ///< 0: one per core
  std::vector<CiModelConfig> models;

  /// The model named `name`; nullptr when there is none.
  const CiModelConfig* find(const std::string& name) const {
    for (const auto& model : models) {
      if (model.name == name) return &model;
    }
    return nullptr;
  }
};

}  // namespace jitscope
