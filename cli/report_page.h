// Assembling the `report` page from analyses. `jitscope report` runs them
// all; `jitscope ci --report-dir` already has the audit, snapshot, diff and
// check of each model and adds only what the page needs beyond them: source
// excerpts, the drawing and the pass statistics.
#pragma once

#include <string>
#include <vector>

#include "option_groups.h"
#include "jitscope/inspector/model.h"
#include "jitscope/report/html_report.h"
#include "jitscope/validators/output_compare.h"

namespace jitscope::cli {

/// Fills in.excerpts: two lines around each finding in in.audit, read from
/// the recorded Python file (empty where it cannot be read).
void addSourceExcerpts(HtmlReportInput& in);

/// Draws forward with the findings highlighted into in.view / in.svg,
/// collapsing submodules until the drawing fits unless `collapse` > 0; a
/// model without forward or a Graphviz failure leaves a note instead.
void addGraph(HtmlReportInput& in, const LoadedModel& model, int collapse);

/// Runs the pipeline on forward of `model`, which it changes (freezing
/// replaces the module): call it last. With `inputs_path`, compares the
/// outputs before and after. A pass LibTorch cannot run ends the statistics
/// there, with the error on the page.
void addPassStatistics(HtmlReportInput& in, LoadedModel& model, const PassChoice& choice,
                       const std::string& inputs_path, const CompareOptions& compare);

}  // namespace jitscope::cli
