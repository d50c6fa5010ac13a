// One model, one session: the loaded model and the analyses of it, each
// computed on first use and kept (in the spirit of LLVM's analysis manager).
// A command that runs several analyses on one model (`report`, `ci`'s
// per-model child) asks the session for them, so nothing loads, describes
// or audits the same model twice in one process. The validators keep their
// plain entry points; the session hands them the pieces it already has
// (AuditContext, takeSnapshot's ModuleInfo, crossCheck's LoadedModelLookup).
//
// Other models a command reads (the scripted reference, the export checked
// against, a .pt given as the committed snapshot) are sessions of the same
// SessionCache, keyed by path: one file, one load.
//
// Counters (loads, describes, audits, snapshots) record the work actually
// done; tests assert on them (tests/unit/test_session.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "jitscope/inspector/graph_model.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/module_info.h"
#include "jitscope/inspector/requirements.h"
#include "jitscope/validators/cross_check.h"
#include "jitscope/validators/finding.h"
#include "jitscope/validators/snapshot.h"
#include "jitscope/validators/trace_audit.h"

namespace jitscope {

/// The work a session did (debug counters, for tests).
struct SessionCounters {
  size_t loads = 0;      ///< loadModel
  size_t describes = 0;  ///< describeModel
  size_t audits = 0;     ///< auditModel
  size_t snapshots = 0;  ///< takeSnapshot

  SessionCounters& operator+=(const SessionCounters& other);
};

class SessionCache;

class ModelSession {
 public:
  /// Nothing is read until an analysis is asked for. `cache`: where the
  /// audit's reference comes from (nullptr: auditModel loads it itself).
  /// `tensors`: TensorData::kSkip reads the code and structure only (`info
  /// --static`, `dump --static`, a drawing): analyses that run the model
  /// (audit, snapshot, pass statistics) must not be asked of such a session.
  explicit ModelSession(std::string path, SessionCache* cache = nullptr, TensorData tensors = TensorData::kLoad);
  ModelSession(const ModelSession&) = delete;
  ModelSession& operator=(const ModelSession&) = delete;

  const std::string& path() const { return path_; }

  /// The model, loaded on first use with the session's TensorData
  /// (InputError, exit 3, for a file that does not load).
  const LoadedModel& model();
  /// The same model, for work that changes the module (the report page's
  /// pass pipeline freezes it): the analyses cached before stay as they
  /// were, so call it after every other analysis the command needs.
  LoadedModel& modelToChange();

  /// describeModel(model()).
  const ModuleInfo& info();
  /// The whole model's provenance verdict (info()'s).
  Provenance provenance();
  /// readRequirements(model().archive).
  const ModelRequirements& requirements();

  /// The audit with `options`, once per distinct options. Options that only
  /// steer the probes (inputs, probe count, device, counterexample folder,
  /// command prefix) make no difference without a reference, so they share
  /// one audit then. The reference (options.reference) is a session of the
  /// same cache. Without options.setting_names, the audit's advice names
  /// the settings as the cache's front end does (SessionCache's names).
  const AuditReport& audit(const AuditOptions& options);

  /// takeSnapshot on `inputs` ("" for none), keeping output values up to
  /// `max_values` elements. With `findings`, they are the default audit's
  /// (audit(AuditOptions{})), as `jitscope snapshot` records.
  const Snapshot& snapshot(const std::string& inputs, bool findings,
                           int64_t max_values = SnapshotOptions{}.max_values);

  /// The inlined forward as the drawing reads it (buildGraphModel); throws
  /// UsageError when the model has no forward.
  const GraphModel& forwardGraph();

  const SessionCounters& counters() const { return counters_; }

 private:
  /// Throws std::logic_error when the session skipped the tensor data.
  void requireTensors(const char* analysis) const;

  std::string path_;
  SessionCache* cache_;
  TensorData tensors_;
  SessionCounters counters_;
  std::optional<LoadedModel> model_;
  std::optional<ModuleInfo> info_;
  std::optional<ModelRequirements> requirements_;
  std::map<std::string, AuditReport> audits_;
  std::map<std::string, Snapshot> snapshots_;
  std::optional<GraphModel> forward_graph_;
};

/// The sessions of one command run, one per file.
class SessionCache {
 public:
  /// `names`: how the front end of this run names settings in the advice
  /// the analyses write (cli/error_wording.h's flags, ci's TOML keys); empty:
  /// their plain names.
  explicit SessionCache(SettingNames names = {}) : names_(std::move(names)) {}

  const SettingNames& settingNames() const { return names_; }

  /// The session of `path` (created on first use; paths that name the same
  /// file lexically share one).
  ModelSession& session(const std::string& path);

  /// For crossCheck: the loaded model of `path`, loading it on first use.
  LoadedModelLookup lookup();

  /// The counters of `path`'s session (zero when there is none), and of all.
  SessionCounters counters(const std::string& path) const;
  SessionCounters total() const;

 private:
  SettingNames names_;
  std::map<std::string, std::unique_ptr<ModelSession>> sessions_;
};

/// `path` as a committed snapshot (JSON, read as is) or a .pt whose snapshot
/// is taken in its session of `cache`: told apart by content, not by
/// extension (`diff`, ci's diff step, report's --snapshot).
Snapshot loadOrTakeSnapshot(SessionCache& cache, const std::string& path, const std::string& inputs,
                            bool findings = true);

}  // namespace jitscope
