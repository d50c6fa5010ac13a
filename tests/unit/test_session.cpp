// The model session (session/): one file, one load; one audit per distinct
// options. Counted twice: by the session's own counters and by the
// process-wide ones inside loadModel, describeModel, auditModel and
// takeSnapshot (core/work_counters.h), so a load or an audit added anywhere
// on these paths, through the session or around it, fails here. The tests
// run the functions `jitscope report` and ci's child (`ci --run-model`) call.
#include "jitscope/session/model_session.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "fixtures.h"
#include "../lib/test_passes.h"
#include "jitscope/core/paths.h"
#include "jitscope/core/work_counters.h"
#include "jitscope/passes/registry.h"
#include "jitscope/session/ci_steps.h"
#include "jitscope/session/model_optimization.h"
#include "jitscope/session/report_page.h"

namespace jitscope {
namespace {

using testing::fixture;
namespace fs = std::filesystem;

// The process-wide counts since construction.
struct WorkDelta {
  size_t loads0 = workCount(Work::kLoad);
  size_t describes0 = workCount(Work::kDescribe);
  size_t audits0 = workCount(Work::kAudit);
  size_t snapshots0 = workCount(Work::kSnapshot);
  size_t loads() const { return workCount(Work::kLoad) - loads0; }
  size_t describes() const { return workCount(Work::kDescribe) - describes0; }
  size_t audits() const { return workCount(Work::kAudit) - audits0; }
  size_t snapshots() const { return workCount(Work::kSnapshot) - snapshots0; }
};

PagePipeline inference() {
  const Preset* preset = findPreset("inference");
  return {"preset " + preset->name, resolvePasses(preset->passes)};
}

fs::path freshDir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("jitscope_session_" + name + std::to_string(::getpid()));
  removeTree(dir.string());  // not std::filesystem::remove_all: see core/paths.h
  fs::create_directories(dir);
  return dir;
}

TEST(ModelSession, LoadsLazilyAndCachesEachAnalysis) {
  const WorkDelta work;
  ModelSession session(fixture("my_cell.traced.pt"));
  EXPECT_EQ(work.loads(), 0u);  // nothing read before an analysis is asked for
  EXPECT_EQ(session.provenance(), Provenance::kTraced);
  const AuditReport& first = session.audit(AuditOptions{});
  // Probe options without a reference run no probe: the same audit.
  AuditOptions probing;
  probing.inputs = {fixture("inputs/my_cell.pt")};
  probing.counterexample_dir = "/nonexistent";
  EXPECT_EQ(&session.audit(probing), &first);
  ASSERT_EQ(first.findings.size(), 1u);
  EXPECT_EQ(first.findings[0].check, "trace-data-dependent-branch");
  // Source roots change what the audit reads: another audit.
  AuditOptions rooted;
  rooted.source_roots = {"/nonexistent"};
  EXPECT_NE(&session.audit(rooted), &first);
  const Snapshot& snapshot = session.snapshot(fixture("inputs/my_cell.pt"), /*findings=*/true);
  EXPECT_EQ(&session.snapshot(fixture("inputs/my_cell.pt"), true), &snapshot);
  ASSERT_EQ(snapshot.findings.size(), 1u);  // the default audit's, not audited again
  EXPECT_FALSE(snapshot.outputs.empty());
  EXPECT_EQ(session.forwardGraph().method, "forward");
  EXPECT_EQ(session.counters().loads, 1u);
  EXPECT_EQ(session.counters().describes, 1u);
  EXPECT_EQ(session.counters().audits, 2u);
  EXPECT_EQ(session.counters().snapshots, 1u);
  EXPECT_EQ(work.loads(), 1u);
  EXPECT_EQ(work.describes(), 1u);
  EXPECT_EQ(work.audits(), 2u);
  EXPECT_EQ(work.snapshots(), 1u);
}

// `info --static` and `dump --static` read through a session that skips the
// tensor data: the description is there, nothing that runs the model is.
TEST(ModelSession, SkippingTensorDataDescribesButRefusesToRun) {
  const WorkDelta work;
  ModelSession session(fixture("my_cell.traced.pt"), nullptr, TensorData::kSkip);
  EXPECT_EQ(session.info().provenance.verdict(), Provenance::kTraced);
  EXPECT_FALSE(session.requirements().calls.empty());
  EXPECT_THROW(session.audit(AuditOptions{}), std::logic_error);
  EXPECT_THROW(session.snapshot("", /*findings=*/false), std::logic_error);
  EXPECT_EQ(session.counters().loads, 1u);
  EXPECT_EQ(session.counters().audits, 0u);
  EXPECT_EQ(work.loads(), 1u);
  EXPECT_EQ(work.audits(), 0u);
}

// `opt --verify -o OUT`: the pipeline on the session's module, the outputs
// checked, the result saved only when they agree.
TEST(ModelSession, OptimizationSavesOnlyWhenTheOutputsAgree) {
  const fs::path dir = freshDir("opt");
  OptimizationRequest request;
  const PagePipeline pipeline = inference();
  request.pipeline = pipeline.name;
  request.passes = pipeline.passes;
  request.check_inputs = fixture("inputs/my_cell.pt");
  request.output = (dir / "ok.pt").string();
  const WorkDelta work;
  ModelSession session(fixture("my_cell.traced.pt"));
  const OptSummary summary = optimizeModel(session, request);
  EXPECT_EQ(summary.check_mode, OutputCheck::kVerify);
  EXPECT_TRUE(summary.checked.ok());
  EXPECT_FALSE(summary.report.passes.empty());
  EXPECT_EQ(summary.output, request.output);
  EXPECT_TRUE(fs::exists(request.output));
  EXPECT_EQ(work.loads(), 1u);

  // The written file loads again.
  ModelSession again(request.output);
  EXPECT_EQ(again.provenance(), Provenance::kTraced);

  // A pass that moves the outputs: nothing written.
  testing::registerTestPasses();
  OptimizationRequest shifting;
  shifting.pipeline = "passes test_shift_output";
  shifting.passes = resolvePasses({"test_shift_output"});
  shifting.check_inputs = fixture("ci/inputs/gate.pt");
  shifting.output = (dir / "shifted.pt").string();
  ModelSession gate(fixture("ci/gate.scripted.pt"));
  const OptSummary shifted = optimizeModel(gate, shifting);
  EXPECT_FALSE(shifted.checked.ok());
  EXPECT_TRUE(shifted.output.empty());
  EXPECT_FALSE(fs::exists(shifting.output));
  removeTree(dir.string());
}

TEST(SessionCache, OneSessionPerFile) {
  SessionCache cache;
  ModelSession& a = cache.session(fixture("my_cell.traced.pt"));
  ModelSession& b = cache.session(fixture("./my_cell.traced.pt"));
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &cache.session(fixture("my_cell.scripted.pt")));
  const LoadedModel* loaded = cache.lookup()(fixture("my_cell.traced.pt"));
  EXPECT_EQ(loaded, &a.model());
  EXPECT_EQ(cache.total().loads, 1u);
}

// `jitscope report MODEL --reference R --inputs I` (the check runs against
// the reference, the inference preset's statistics on the inputs).
TEST(SessionCache, ReportWithReferenceAndInputsLoadsEachModelOnceAndAuditsOnce) {
  const WorkDelta work;
  SessionCache cache;
  ReportRequest request;
  request.model = fixture("my_cell.traced.pt");
  request.audit.reference = fixture("my_cell.scripted.pt");
  request.audit.inputs = {fixture("inputs/my_cell.pt")};
  request.pipeline = inference();
  const HtmlReportInput page = buildReportPage(cache, request);
  // The page has everything these options ask for.
  ASSERT_TRUE(page.check.has_value());
  EXPECT_TRUE(page.check->ok);
  ASSERT_TRUE(page.snapshot.has_value());
  EXPECT_FALSE(page.snapshot->outputs.empty());
  ASSERT_TRUE(page.passes.has_value());
  EXPECT_FALSE(page.passes->report.passes.empty());
  EXPECT_FALSE(page.audit.findings.empty());
  // The graph: the trace, and its reference beside it (the same load).
  ASSERT_EQ(page.views.size(), 2u);
  EXPECT_FALSE(page.views[0].nodes.empty());
  EXPECT_FALSE(page.views[1].nodes.empty());

  const SessionCounters traced = cache.counters(request.model);
  const SessionCounters reference = cache.counters(request.audit.reference);
  EXPECT_EQ(traced.loads, 1u);
  EXPECT_EQ(traced.audits, 1u);
  EXPECT_EQ(traced.describes, 1u);
  EXPECT_EQ(reference.loads, 1u);
  EXPECT_EQ(reference.audits, 0u);
  // Nothing around the session: two files, two loads, one audit in all.
  EXPECT_EQ(work.loads(), 2u);
  EXPECT_EQ(work.audits(), 1u);
  EXPECT_EQ(work.describes(), 1u);
  EXPECT_EQ(work.snapshots(), 1u);
}

// `jitscope audit MODEL --reference R --inputs I` and `jitscope check MODEL
// --against R` read their models through one SessionCache: each file loaded
// once, the model audited once, the check's CPU sides the sessions' models.
TEST(SessionCache, AuditWithReferenceAndCheckAgainstItLoadEachFileOnce) {
  const WorkDelta work;
  SessionCache cache;
  AuditOptions options;
  options.reference = fixture("my_cell.scripted.pt");
  options.inputs = {fixture("inputs/my_cell.pt")};
  options.counterexample_dir = freshDir("audit").string();
  const AuditReport& report = cache.session(fixture("my_cell.traced.pt")).audit(options);
  EXPECT_FALSE(report.findings.empty());
  EXPECT_EQ(&cache.session(fixture("my_cell.traced.pt")).audit(options), &report);
  CheckOptions check;
  check.model = fixture("my_cell.traced.pt");
  check.against = fixture("my_cell.scripted.pt");
  check.input_files = {fixture("inputs/my_cell.pt")};
  EXPECT_TRUE(crossCheck(check, cache.lookup()).ok);
  EXPECT_EQ(cache.counters(check.model).loads, 1u);
  EXPECT_EQ(cache.counters(check.model).audits, 1u);
  EXPECT_EQ(cache.counters(check.against).loads, 1u);
  EXPECT_EQ(work.loads(), 2u);
  EXPECT_EQ(work.audits(), 1u);
  removeTree(options.counterexample_dir);
}

// ci's child for one model with audit, snapshot diff, op allow-list, output
// check against another export, and its report page.
TEST(SessionCache, CiModelWithAuditDiffAndCheckLoadsTheModelOnce) {
  const fs::path dir = freshDir("ci");
  CiModelConfig config;
  config.name = "gate";
  config.path = fixture("ci/gate.scripted.pt");
  config.inputs = fixture("ci/inputs/gate.pt");
  {
    // The committed snapshot, taken before counting.
    SessionCache other;
    std::ofstream(dir / "gate.json") << snapshotToJson(loadOrTakeSnapshot(other, config.path, config.inputs));
  }
  config.audit.enabled = true;
  config.audit.probe = true;  // no reference: no probe, the default audit
  config.diff.enabled = true;
  config.diff.snapshot = (dir / "gate.json").string();
  config.ops.enabled = true;
  config.ops.allow = {"aten"};
  config.check.enabled = true;
  config.check.against = fixture("ci/gate.traced.pt");

  fs::create_directories(dir / "pages");  // as `ci --report-dir` does before the children run
  const WorkDelta work;
  SessionCache cache;
  const CiModelResult result = runCiModel(config, (dir / "pages").string(), cache);
  ASSERT_EQ(result.steps.size(), 4u);
  EXPECT_EQ(result.steps[0].name, "audit");
  EXPECT_EQ(result.steps[1].name, "diff");
  EXPECT_EQ(result.steps[1].status, CiStatus::kPass) << result.steps[1].summary;
  EXPECT_EQ(result.steps[2].name, "ops");
  EXPECT_EQ(result.steps[3].name, "check");
  EXPECT_TRUE(fs::exists(result.report));

  const SessionCounters model = cache.counters(config.path);
  EXPECT_EQ(model.loads, 1u);
  EXPECT_EQ(model.audits, 1u);  // the audit step's, reused by the snapshot and the page
  EXPECT_EQ(model.describes, 1u);
  EXPECT_EQ(model.snapshots, 1u);
  EXPECT_EQ(cache.counters(config.check.against).loads, 1u);
  EXPECT_EQ(work.loads(), 2u);
  EXPECT_EQ(work.audits(), 1u);
  EXPECT_EQ(work.describes(), 1u);
  EXPECT_EQ(work.snapshots(), 1u);
  removeTree(dir.string());
}

}  // namespace
}  // namespace jitscope
