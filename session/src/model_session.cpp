// See model_session.h.
#include "jitscope/session/model_session.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace jitscope {
namespace {

// The options that decide what an audit finds. Without a reference no probe
// runs, so the probe options are left out: ci's audit step with `probe = true`
// and no reference is the same audit as the snapshot's default one.
std::string auditKey(const AuditOptions& options) {
  std::string key = fmt::format("roots={}\nno_source={}\nreference={}", fmt::join(options.source_roots, "\x1e"),
                                options.no_source, options.reference);
  if (!options.reference.empty()) {
    key += fmt::format("\ninputs={}\nprobe_inputs={}\nprobes={}\ndir={}\n"
                       "device={}\nprefix={}",
                       fmt::join(options.inputs, "\x1e"), static_cast<int>(options.probe_inputs), options.probes,
                       options.counterexample_dir, options.device, options.command_prefix);
  }
  return key;
}

std::string cacheKey(const std::string& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

}  // namespace

SessionCounters& SessionCounters::operator+=(const SessionCounters& other) {
  loads += other.loads;
  describes += other.describes;
  audits += other.audits;
  snapshots += other.snapshots;
  return *this;
}

ModelSession::ModelSession(std::string path, SessionCache* cache, TensorData tensors)
    : path_(std::move(path)), cache_(cache), tensors_(tensors) {}

void ModelSession::requireTensors(const char* analysis) const {
  if (tensors_ == TensorData::kSkip) {
    throw std::logic_error(fmt::format("{} of '{}' asked of a session that skipped the tensor data", analysis, path_));
  }
}

const LoadedModel& ModelSession::model() { return modelToChange(); }

LoadedModel& ModelSession::modelToChange() {
  if (!model_) {
    ++counters_.loads;
    model_ = loadModel(path_, tensors_);
  }
  return *model_;
}

const ModuleInfo& ModelSession::info() {
  if (!info_) {
    const LoadedModel& loaded = model();
    ++counters_.describes;
    info_ = describeModel(loaded);
  }
  return *info_;
}

Provenance ModelSession::provenance() { return info().provenance.verdict(); }

const ModelRequirements& ModelSession::requirements() {
  if (!requirements_) requirements_ = readRequirements(model().archive);
  return *requirements_;
}

const AuditReport& ModelSession::audit(const AuditOptions& options) {
  const std::string key = auditKey(options);
  if (auto it = audits_.find(key); it != audits_.end()) return it->second;
  requireTensors("an audit");
  AuditContext context;
  context.provenance = provenance();
  const LoadedModel& loaded = model();
  // auditModel reads the reference only for a model with forward (it
  // returns before that otherwise): so is it loaded here.
  if (!options.reference.empty() && cache_ && loaded.module->find_method("forward")) {
    context.reference = &cache_->session(options.reference).model();
  }
  AuditOptions worded = options;
  if (!worded.setting_names && cache_) worded.setting_names = cache_->settingNames();
  ++counters_.audits;
  return audits_.emplace(key, auditModel(loaded, worded, context)).first->second;
}

const Snapshot& ModelSession::snapshot(const std::string& inputs, bool findings, int64_t max_values) {
  const std::string key = fmt::format("{}\x1f{}\x1f{}", inputs, findings, max_values);
  if (auto it = snapshots_.find(key); it != snapshots_.end()) return it->second;
  requireTensors("a snapshot");
  SnapshotOptions options;
  options.inputs = inputs;
  options.audit = findings;
  options.max_values = max_values;
  if (findings) options.findings = audit(AuditOptions{}).findings;
  const ModuleInfo& described = info();
  ++counters_.snapshots;
  return snapshots_.emplace(key, takeSnapshot(model(), path_, options, &described)).first->second;
}

const GraphModel& ModelSession::forwardGraph() {
  if (!forward_graph_) {
    const auto graph = methodGraph(*model().module, "forward", GraphForm::kInlined);
    forward_graph_ = buildGraphModel(*graph, "forward", /*inlined=*/true);
  }
  return *forward_graph_;
}

ModelSession& SessionCache::session(const std::string& path) {
  auto& slot = sessions_[cacheKey(path)];
  if (!slot) slot = std::make_unique<ModelSession>(path, this);
  return *slot;
}

LoadedModelLookup SessionCache::lookup() {
  return [this](const std::string& path) -> const LoadedModel* { return &session(path).model(); };
}

SessionCounters SessionCache::counters(const std::string& path) const {
  const auto it = sessions_.find(cacheKey(path));
  return it == sessions_.end() ? SessionCounters{} : it->second->counters();
}

SessionCounters SessionCache::total() const {
  SessionCounters all;
  for (const auto& [key, session] : sessions_) all += session->counters();
  return all;
}

Snapshot loadOrTakeSnapshot(SessionCache& cache, const std::string& path, const std::string& inputs,
                            bool findings) {
  std::ifstream in(path, std::ios::binary);
  char first = 0;
  while (in && in.get(first) && std::isspace(static_cast<unsigned char>(first))) {
  }
  if (in && first == '{') {
    in.seekg(0);
    return snapshotFromJson(std::string(std::istreambuf_iterator<char>(in), {}), path);
  }
  // Not JSON (or not readable: loading words the error).
  return cache.session(path).snapshot(inputs, findings);
}

}  // namespace jitscope
