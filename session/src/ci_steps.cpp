// See ci_steps.h. A child prints its CiModelResult as JSON on stdout; the
// parent (runCiModels) collects them.
#include "jitscope/session/ci_steps.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "jitscope/core/atomic_file.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/isolation.h"
#include "jitscope/core/operator_library.h"
#include "jitscope/core/paths.h"
#include "jitscope/core/process_pool.h"
#include "jitscope/passes/registry.h"
#include "jitscope/report/html_report.h"
#include "jitscope/session/report_page.h"
#include "jitscope/validators/compat.h"
#include "jitscope/validators/cross_check.h"
#include "jitscope/validators/snapshot.h"
#include "jitscope/validators/snapshot_diff.h"
#include "jitscope/validators/target.h"
#include "jitscope/validators/trace_audit.h"

namespace jitscope {
namespace {

namespace fs = std::filesystem;

CiStep auditStep(ModelSession& session, const CiModelConfig& config, AuditReport& report) {
  AuditOptions options;
  options.source_roots = config.audit.source_roots;
  options.reference = config.audit.reference;
  if (config.audit.probe) {
    options.inputs = {config.inputs};
    options.counterexample_dir = fs::temp_directory_path().string();
    options.probe_budget_s = config.audit.probe_budget;
  }
  report = session.audit(options);
  const Severity fail_on = config.audit.fail_on;
  CiStep step;
  step.name = "audit";
  size_t failing = 0;
  for (const Finding& f : report.findings) {
    const bool fails = atLeast(f.severity, fail_on);
    failing += fails;
    step.issues.push_back({f.check, std::string(toString(f.severity)), f.message, f.location.file,
                           f.location.line, f.location.column});
    step.details.push_back(fmt::format("{}: {}: {} [{}]", f.location.known() ? f.location.str() : report.file,
                                       toString(f.severity), f.message, f.check));
  }
  const bool unverified = report.verdict() == Verdict::kUnverified;
  step.status = failing || (unverified && config.audit.fail_unverified) ? CiStatus::kFail : CiStatus::kPass;
  step.summary = fmt::format("{} model, {} finding{}, {} at or above {}{}", toString(report.provenance),
                             report.findings.size(), report.findings.size() == 1 ? "" : "s", failing,
                             toString(config.audit.fail_on),
                             !unverified ? ""
                             : config.audit.fail_unverified ? ", unverified (fails: unverified = \"fail\")"
                                                            : ", unverified");
  return step;
}

CiStep diffStep(SessionCache& cache, const Snapshot& now, const CiModelConfig& config,
                std::optional<SnapshotDiff>& kept) {
  const Snapshot committed = loadOrTakeSnapshot(cache, config.diff.snapshot, config.inputs);
  DiffOptions diff_options;
  diff_options.tolerance.rtol = config.diff.rtol;
  diff_options.tolerance.atol = config.diff.atol;
  const SnapshotDiff& diff = kept.emplace(diffSnapshots(committed, now, diff_options));
  CiStep step;
  step.name = "diff";
  step.status = diff.same() ? CiStatus::kPass : CiStatus::kFail;
  step.summary = diff.same() ? fmt::format("same behaviour as {}", fs::path(config.diff.snapshot).filename().string())
                             : fmt::format("{} change{} against {}", diff.changes.size(),
                                           diff.changes.size() == 1 ? "" : "s",
                                           fs::path(config.diff.snapshot).filename().string());
  for (const Change& change : diff.changes) {
    const std::string line = fmt::format("{}: {}: {}", toString(change.kind), change.subject, change.message);
    step.details.push_back(line);
    for (const auto& detail : change.details) step.details.push_back("  " + detail);
    step.issues.push_back({std::string("diff-") + toString(change.kind), "error", line, config.path, 0, 0});
  }
  for (const auto& note : diff.notes) step.details.push_back("note: " + note);
  return step;
}

bool allowed(const std::string& op, const std::vector<std::string>& allow) {
  const std::string base = op.substr(0, op.find('.'));
  return std::find(allow.begin(), allow.end(), op) != allow.end() ||
         std::find(allow.begin(), allow.end(), base) != allow.end();
}

CiStep opsStep(const Snapshot& now, const CiModelConfig& config) {
  CiStep step;
  step.name = "ops";
  std::vector<std::string> missing;
  for (const auto& op : now.ops) {
    if (!allowed(op, config.ops.allow)) missing.push_back(op);
  }
  step.status = missing.empty() ? CiStatus::kPass : CiStatus::kFail;
  step.summary = missing.empty() ? fmt::format("all {} operators allowed", now.ops.size())
                                 : fmt::format("{} of {} operators not in the allow-list: {}", missing.size(),
                                               now.ops.size(), fmt::join(missing, ", "));
  for (const auto& op : missing) {
    step.details.push_back("not allowed: " + op);
    step.issues.push_back({"ops-not-allowed", "error",
                           fmt::format("operator '{}' is not in the allow-list of the target runtime", op), config.path,
                           0, 0});
  }
  return step;
}

// [model.target]: what `jitscope compat` says, one issue per problem at the
// user's Python line where the debug info has it.
// It reads the archive without loading it: a model that does not load here
// (saved by a newer PyTorch) is still checked against its target.
CiStep targetStep(const CiModelConfig& config) {
  const CompatReport report = checkModelFile(config.path, config.target.target, CompatOptions{config.target.device, config.target.runtime});
  CiStep step;
  step.name = "target";
  step.status = report.ok() ? CiStatus::kPass : CiStatus::kFail;
  step.summary = report.ok() ? fmt::format("loads and runs on {}: {} operators at {} call sites", report.target,
                                           report.operators_checked, report.calls_checked)
                             : fmt::format("{} problem(s) on {}: {}", report.problems.size(), report.target,
                                           report.loads() ? "fails when run" : "torch::jit::load fails");
  for (const auto& problem : report.problems) {
    const std::string where = problem.locations.empty() ? problem.where : problem.locations.front().str();
    step.details.push_back(fmt::format("{}: {}", where, problem.message));
    if (!problem.fix.empty()) step.details.push_back("  fix: " + problem.fix);
    const bool python = problem.python && problem.python->known();
    step.issues.push_back({"compat-" + std::string(toString(problem.kind)), "error", problem.message,
                           python ? problem.python->file : config.path, python ? problem.python->line : 0,
                           python ? problem.python->column : 0});
  }
  return step;
}

CiStep checkStep(SessionCache& cache, const CiModelConfig& config, std::optional<CheckReport>& kept) {
  CheckOptions options;
  options.model = config.path;
  options.against = config.check.against;
  if (!config.check.expected.empty()) options.expected_files = {config.check.expected};
  options.devices = config.check.devices;
  options.input_files = {config.inputs};
  options.compare.tolerance.rtol = config.check.rtol;
  options.compare.tolerance.atol = config.check.atol;
  options.localize = config.check.localize;
  const CheckReport& report = kept.emplace(crossCheck(options, cache.lookup()));
  CiStep step;
  step.name = "check";
  step.status = report.ok ? CiStatus::kPass : CiStatus::kFail;
  size_t outputs = 0;
  size_t failing = 0;
  for (const auto& set : report.sets) {
    for (const auto& output : set.comparison.outputs) {
      ++outputs;
      if (output.ok) continue;
      ++failing;
      const std::string line =
          output.structure_error.empty()
              ? fmt::format("{}: {}: max abs diff {:.3g}, max rel diff {:.3g}, {}/{} elements outside tolerance",
                            set.label, output.path, output.max_abs_diff, output.max_rel_diff, output.mismatched,
                            output.total)
              : fmt::format("{}: {}: {}", set.label, output.path, output.structure_error);
      step.details.push_back(line);
      step.issues.push_back({"check-mismatch", "error", line, config.path, 0, 0});
    }
    if (set.localize && set.localize->first) {
      const Divergence& first = *set.localize->first;
      step.details.push_back(fmt::format("  first divergence: {} in {} at {}", first.op,
                                         first.module_path.empty() ? "(root)" : first.module_path,
                                         first.location.known() ? first.location.str() : "(no source)"));
    }
  }
  step.summary = report.ok ? fmt::format("{} output(s) within tolerance: {} vs {}", outputs, report.actual, report.expected)
                           : fmt::format("{} of {} output(s) outside tolerance: {} vs {}", failing, outputs,
                                         report.actual, report.expected);
  return step;
}

bool usesCuda(const CiModelConfig& model) {
  if (!model.check.enabled) return false;
  return std::any_of(model.check.devices.begin(), model.check.devices.end(),
                     [](const std::string& device) { return device.rfind("cuda", 0) == 0; });
}

/// `jitscope ci --config FILE --run-model NAME`: one model's checks in a child.
std::vector<std::string> childCommand(const std::string& config_file, const CiModelConfig& model,
                                      const std::string& report_dir) {
  // Each model's checks run isolated by default (docs/security.md): limits
  // from IsolationLimits::ciDefaults(), so a hostile or broken model becomes
  // an error of that model, never a hang or a crash of the whole job.
  // A model checked on CUDA gets no address-space limit: the CUDA driver
  // reserves tens of GiB of address space it never touches, and under the
  // limit CUDA would report no device. The timeout still applies.
  const IsolationLimits limits = IsolationLimits::ciDefaults();
  std::vector<std::string> args{"jitscope", "--isolate", "--timeout", fmt::format("{}", limits.timeout_seconds)};
  if (!usesCuda(model)) {
    args.insert(args.end(), {"--max-memory", std::to_string(limits.max_memory_bytes)});
  }
  // The child loads the libraries given to this run and the model's own.
  for (const auto& library : loadedOperatorLibraries()) args.insert(args.end(), {"--load-library", library});
  for (const auto& library : model.libraries) args.insert(args.end(), {"--load-library", library});
  args.insert(args.end(), {"ci", "--config", config_file, "--run-model", model.name});
  if (!report_dir.empty()) args.insert(args.end(), {"--report-dir", report_dir});
  return args;
}

CiModelResult collect(const ProcessOutcome& child, const CiModelConfig& model) {
  if (child.exited && child.exit_code == 0) {
    try {
      return ciResultFromJson(child.out);
    } catch (const std::runtime_error&) {
      // reported below as an error of this model
    }
  }
  CiModelResult result;
  result.name = model.name;
  result.path = model.path;
  result.status = CiStatus::kError;
  result.seconds = child.seconds;
  const std::string err = lastLine(child.err);
  if (!child.exited) {
    result.error = fmt::format("the check process was killed by signal {} ({}){}", child.signal,
                               strsignal(child.signal), err.empty() ? "" : ": " + err);
  } else {
    const std::string prefix = "jitscope: error: ";
    result.error = err.rfind(prefix, 0) == 0 ? err.substr(prefix.size())
                                             : fmt::format("the check process exited with {}{}", child.exit_code,
                                                           err.empty() ? "" : ": " + err);
  }
  return result;
}

}  // namespace

std::string reportPageName(const std::string& name) {
  std::string out;
  for (const char c : name) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ? c : '_';
  return out.empty() || out[0] == '.' ? "model" + out : out;
}

std::vector<CiModelResult> reportsRelativeTo(std::vector<CiModelResult> results, const std::string& page) {
  const fs::path from = fs::absolute(page).parent_path();
  for (auto& r : results) {
    if (!r.report.empty()) r.report = fs::path(r.report).lexically_relative(from).string();
  }
  return results;
}

CiModelResult runCiModel(const CiModelConfig& config, const std::string& report_dir, SessionCache& cache) {
  const auto started = std::chrono::steady_clock::now();
  CiModelResult result;
  result.name = config.name;
  result.path = config.path;
  if (config.target.enabled) result.steps.push_back(targetStep(config));
  const bool needs_model =
      config.audit.enabled || config.diff.enabled || config.ops.enabled || config.check.enabled || !report_dir.empty();
  if (!needs_model) {
    for (const auto& step : result.steps) result.status = std::max(result.status, step.status);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
  }
  ModelSession& session = cache.session(config.path);
  session.model();  // a model that does not load is this model's error before any step
  std::optional<AuditReport> audit;
  std::optional<Snapshot> now;
  std::optional<SnapshotDiff> diff;
  std::optional<CheckReport> check;
  if (config.audit.enabled) result.steps.push_back(auditStep(session, config, audit.emplace()));
  if (config.diff.enabled || config.ops.enabled) {
    // The snapshot's findings come from an audit with default options: the
    // audit step's own when it had no reference or source roots (the
    // session keeps one audit per distinct options).
    now = session.snapshot(config.inputs, /*findings=*/config.diff.enabled);
    if (config.diff.enabled) result.steps.push_back(diffStep(cache, *now, config, diff));
    if (config.ops.enabled) result.steps.push_back(opsStep(*now, config));
  }
  if (config.check.enabled) result.steps.push_back(checkStep(cache, config, check));
  for (const auto& step : result.steps) result.status = std::max(result.status, step.status);

  if (!report_dir.empty()) {
    HtmlReportInput page;
    page.model_path = config.path;
    page.info = session.info();
    if (!audit) {
      AuditOptions options;
      options.source_roots = config.audit.source_roots;
      audit = session.audit(options);
    }
    page.audit = *audit;
    addSourceExcerpts(page);
    if (!now && !config.inputs.empty()) now = session.snapshot(config.inputs, /*findings=*/true);
    page.snapshot = now;
    page.diff = diff;
    page.check = check;
    addGraph(page, session, 0,
             config.audit.reference.empty() ? nullptr : &cache.session(config.audit.reference));
    // Last: the inference preset changes the module.
    CompareOptions compare;
    compare.tolerance.rtol = config.check.rtol;
    compare.tolerance.atol = config.check.atol;
    const Preset* inference = findPreset("inference");
    addPassStatistics(page, session, PagePipeline{"preset " + inference->name, resolvePasses(inference->passes)},
                      config.inputs, compare);
    result.report = (fs::path(report_dir) / (reportPageName(config.name) + ".html")).string();
    writeFileAtomically(result.report, renderHtmlReport(page));
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

std::vector<CiModelResult> runCiModels(const CiConfig& config, unsigned jobs, const std::string& report_dir) {
  std::vector<std::vector<std::string>> commands;
  for (const auto& model : config.models) commands.push_back(childCommand(config.file, model, report_dir));
  const std::vector<ProcessOutcome> outcomes = runProcessPool(currentExecutable(), commands, jobs);
  std::vector<CiModelResult> results;
  for (size_t i = 0; i < outcomes.size(); ++i) results.push_back(collect(outcomes[i], config.models[i]));
  return results;
}


}  // namespace jitscope
