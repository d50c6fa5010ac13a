// `jitscope report`: one self-contained HTML file (inline CSS and JS; no
// network) a reviewer opens from a CI artifact: summary, provenance,
// findings with source excerpts, the graph in the explorer (graph_explorer.h:
// modules, `if`s and loops open and close in place, search, a side panel per
// node) with findings highlighted, the output/diff tables when a snapshot was
// given, the check table when outputs were compared with a reference, and
// what a pass pipeline did to the model.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "jitscope/inspector/module_info.h"
#include "jitscope/passes/pipeline.h"
#include "jitscope/report/graph_explorer.h"
#include "jitscope/report/graph_view.h"
#include "jitscope/validators/check_report.h"
#include "jitscope/validators/finding.h"
#include "jitscope/validators/snapshot.h"
#include "jitscope/validators/snapshot_diff.h"

namespace jitscope {

/// A few lines of the user's Python around a finding, read by the caller.
struct SourceExcerpt {
  size_t first_line = 0;  ///< line number of lines[0]
  std::vector<std::string> lines;
};

/// A pass pipeline run on the model for the report: per-pass statistics and,
/// with inputs, whether the outputs stayed within tolerance.
struct PassStatistics {
  std::string pipeline;  ///< "preset inference" or "passes dce,cse"
  PipelineReport report;
  std::optional<OutputComparison> outputs;  ///< after the last pass vs the original
  std::string inputs;                       ///< what `outputs` ran on
  /// Why the pipeline stopped (a pass LibTorch could not run); the
  /// statistics hold the passes before it.
  std::string error;
};

struct HtmlReportInput {
  std::string model_path;
  ModuleInfo info;
  AuditReport audit;
  std::vector<SourceExcerpt> excerpts;  ///< one per audit finding (may be empty)
  /// What the graph section's explorer shows: forward, then the
  /// --reference's forward when there is one; the findings link to nodes of
  /// views[0] by id. Empty: no graph (graph_note says why).
  std::vector<GraphView> views;
  ExplorerOptions explorer;  ///< its first state (embedded)
  std::string graph_note;    ///< why there is no graph
  std::optional<Snapshot> snapshot;     ///< this model's, with outputs on --inputs
  std::optional<SnapshotDiff> diff;     ///< against --snapshot
  std::optional<CheckReport> check;     ///< outputs against --against/--expected/--device
  std::optional<PassStatistics> passes;
};

std::string renderHtmlReport(const HtmlReportInput& input);

}  // namespace jitscope
