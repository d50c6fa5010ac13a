// `jitscope diff`: what changed between two snapshots (snapshot.h), as plain
// data; report/diff_render.h turns it into text or JSON.
//
// Graphs are compared by their canonical fingerprint and, to say *what*
// changed, by their structure keyed on module path, source line and node
// kind, never by node numbering. Outputs are compared element by element
// within a tolerance (validators/output_compare.h) where both snapshots kept
// the values, by digest otherwise.
#pragma once

#include <string>
#include <vector>

#include "jitscope/validators/output_compare.h"
#include "jitscope/validators/snapshot.h"

namespace jitscope {

/// The kinds of change, in the order a report lists them.
enum class ChangeKind { kSchema, kMethod, kOps, kGraph, kParameters, kProvenance, kFindings, kOutputs };

/// "schema", "method", "ops", "graph", "parameters", "provenance", "findings", "outputs".
const char* toString(ChangeKind kind);

struct Change {
  ChangeKind kind;
  std::string subject;  ///< the method, op, parameter or output concerned
  std::string message;  ///< one line: "removed", "'a' -> 'b'", "3 of 12 elements beyond tolerance"
  /// For graph changes: the structure lines added ("+ ...") and removed ("- ...").
  std::vector<std::string> details;
};

struct SnapshotDiff {
  std::string old_name;
  std::string new_name;
  std::vector<Change> changes;
  /// Why a part was not compared ("outputs: NEW has none; give --inputs").
  std::vector<std::string> notes;
  bool same() const { return changes.empty(); }
};

struct DiffOptions {
  ToleranceOptions tolerance;
  /// Findings only in OLD (fixed ones) are reported too when true; by
  /// default only new findings count as a change.
  bool removed_findings = false;
};

SnapshotDiff diffSnapshots(const Snapshot& old_snapshot, const Snapshot& new_snapshot, const DiffOptions& options);

}  // namespace jitscope
