// Assembling the `report` page from a model's session. `jitscope report`
// asks for it whole (buildReportPage); `jitscope ci --report-dir` already
// has the audit, snapshot, diff and check of each model (ci_steps.h) and adds
// only what the page needs beyond them: source excerpts, the graph and the
// pass statistics.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "jitscope/report/html_report.h"
#include "jitscope/session/model_session.h"
#include "jitscope/validators/output_compare.h"

namespace jitscope {

struct PassInfo;

/// A pass pipeline for the page: its name as the page shows it ("preset
/// inference") and its passes; no passes: no statistics.
struct PagePipeline {
  std::string name;
  std::vector<const PassInfo*> passes;
};

/// What `jitscope report` was asked for (its options, already checked).
struct ReportRequest {
  std::string model;
  /// reference, inputs (at most one file) and source_roots; the rest as given.
  AuditOptions audit;
  std::string against;
  std::string expected;
  std::vector<std::string> devices;  ///< empty: none given
  std::string snapshot;              ///< --snapshot; "" for none
  CompareOptions compare;
  PagePipeline pipeline;
  int collapse = 0;
};

/// The whole page of `request.model`, every model it reads through `cache`
/// (each file loaded once, the model audited once unless --snapshot needs
/// the default audit beside a --reference one). Runs the pipeline last, on
/// the session's module (which it changes).
HtmlReportInput buildReportPage(SessionCache& cache, const ReportRequest& request);

/// Fills in.excerpts: two lines around each finding in in.audit, read from
/// the recorded Python file (empty where it cannot be read).
void addSourceExcerpts(HtmlReportInput& in);

/// Puts forward's graph with the findings highlighted into in.views for
/// the page's explorer, and beside it the reference's (the audit's
/// --reference) when given; in.explorer opens as deep as fits about 40
/// boxes, or with submodules `collapse` deep folded when `collapse` > 0. A
/// model without forward leaves a note instead.
void addGraph(HtmlReportInput& in, ModelSession& session, int collapse, ModelSession* reference = nullptr);

/// Runs the pipeline on forward of the session's model, which it changes
/// (freezing replaces the module): call it last. With `inputs_path`,
/// compares the outputs before and after. A pass LibTorch cannot run ends
/// the statistics there, with the error on the page.
void addPassStatistics(HtmlReportInput& in, ModelSession& session, const PagePipeline& pipeline,
                       const std::string& inputs_path, const CompareOptions& compare);

}  // namespace jitscope
