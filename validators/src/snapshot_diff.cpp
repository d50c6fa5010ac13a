#include "jitscope/validators/snapshot_diff.h"

#include <ATen/ATen.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <optional>
#include <set>

#include "jitscope/inspector/tensor_format.h"

namespace jitscope {
namespace {

std::string shapeText(const std::vector<int64_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

// "Float [2, 3]": a recorded tensor's dtype and shape.
std::string typeText(const TensorRecord& t) { return t.dtype + " " + shapeText(t.shape); }

// Tensor records of the old snapshot `a` and the new `b` matched by name, in
// name order: `both(name, old, now)` for each name in both or `gone(name)`
// for one only in `a`, then `added(name, now)` for each only in `b`.
template <typename Both, typename Gone, typename Added>
void matchByName(const std::vector<TensorRecord>& a, const std::vector<TensorRecord>& b, Both both, Gone gone,
                 Added added) {
  const auto name = [](const TensorRecord& t) { return t.name; };
  const auto old_records = byName(a, name);
  const auto new_records = byName(b, name);
  for (const auto& [key, old_record] : old_records) {
    const auto it = new_records.find(key);
    if (it == new_records.end()) {
      gone(key);
    } else {
      both(key, *old_record, *it->second);
    }
  }
  for (const auto& [key, new_record] : new_records) {
    if (!old_records.count(key)) added(key, *new_record);
  }
}

template <typename T, typename Key>
std::map<std::string, const T*> byName(const std::vector<T>& items, Key key) {
  std::map<std::string, const T*> out;
  for (const auto& item : items) out[key(item)] = &item;
  return out;
}

// Note [Aligning graphs]
// Structure entries ("module | file:line | kind") are matched in two rounds:
// first exactly, then ignoring the line, so that code which only moved (a
// line inserted above it) is counted as moved rather than removed and added.
// What is left over is what was really added or removed.
std::string withoutLine(const std::string& key) {
  const auto first = key.find(" | ");
  const auto second = first == std::string::npos ? first : key.find(" | ", first + 3);
  if (second == std::string::npos) return key;
  const std::string where = key.substr(first + 3, second - first - 3);
  return key.substr(0, first + 3) + where.substr(0, where.rfind(':')) + key.substr(second);
}

Change graphChange(const std::string& method, const MethodSnapshot& old_m, const MethodSnapshot& new_m) {
  std::map<std::string, long> removed, added;  // exact key -> count left unmatched
  for (const auto& [key, count] : old_m.structure) {
    const auto it = new_m.structure.find(key);
    const long now = it == new_m.structure.end() ? 0 : static_cast<long>(it->second);
    if (static_cast<long>(count) > now) removed[key] = static_cast<long>(count) - now;
  }
  for (const auto& [key, count] : new_m.structure) {
    const auto it = old_m.structure.find(key);
    const long before = it == old_m.structure.end() ? 0 : static_cast<long>(it->second);
    if (static_cast<long>(count) > before) added[key] = static_cast<long>(count) - before;
  }
  size_t moved = 0;
  for (auto& [old_key, old_count] : removed) {
    for (auto& [new_key, new_count] : added) {
      if (old_count == 0) break;
      if (new_count == 0 || withoutLine(old_key) != withoutLine(new_key)) continue;
      const long n = std::min(old_count, new_count);
      old_count -= n;
      new_count -= n;
      moved += static_cast<size_t>(n);
    }
  }
  Change change{ChangeKind::kGraph, method, "", {}};
  size_t n_added = 0, n_removed = 0;
  const auto counted = [](const std::string& key, long n) {
    return n > 1 ? fmt::format("{} (x{})", key, n) : key;
  };
  for (const auto& [key, n] : removed) {
    if (n == 0) continue;
    n_removed += static_cast<size_t>(n);
    change.details.push_back("- " + counted(key, n));
  }
  for (const auto& [key, n] : added) {
    if (n == 0) continue;
    n_added += static_cast<size_t>(n);
    change.details.push_back("+ " + counted(key, n));
  }
  const std::string moved_text = moved ? fmt::format(", {} moved to other lines", moved) : "";
  change.message = n_added + n_removed > 0
                       ? fmt::format("{} nodes added, {} removed{} ({} -> {} nodes)", n_added, n_removed, moved_text,
                                     old_m.nodes, new_m.nodes)
                       : fmt::format("fingerprint {} -> {}: no node added or removed{}; wired or parameterised "
                                     "differently ({} -> {} nodes)",
                                     old_m.fingerprint.substr(0, 12), new_m.fingerprint.substr(0, 12), moved_text,
                                     old_m.nodes, new_m.nodes);
  return change;
}

void diffMethods(const Snapshot& a, const Snapshot& b, SnapshotDiff& diff) {
  const auto name = [](const MethodSnapshot& m) { return m.name; };
  const auto old_methods = byName(a.methods, name);
  const auto new_methods = byName(b.methods, name);
  for (const auto& [method, m] : old_methods) {
    if (!new_methods.count(method)) diff.changes.push_back({ChangeKind::kMethod, method, "removed", {}});
  }
  for (const auto& [method, m] : new_methods) {
    if (!old_methods.count(method)) diff.changes.push_back({ChangeKind::kMethod, method, "added", {}});
  }
  for (const auto& [method, old_m] : old_methods) {
    const auto it = new_methods.find(method);
    if (it == new_methods.end()) continue;
    const MethodSnapshot& new_m = *it->second;
    if (old_m->schema != new_m.schema) {
      diff.changes.push_back({ChangeKind::kSchema, method, fmt::format("'{}' -> '{}'", old_m->schema, new_m.schema), {}});
    }
    if (old_m->fingerprint == new_m.fingerprint) continue;
    diff.changes.push_back(graphChange(method, *old_m, new_m));
  }
}

void diffOps(const Snapshot& a, const Snapshot& b, SnapshotDiff& diff) {
  const std::set<std::string> old_ops(a.ops.begin(), a.ops.end());
  const std::set<std::string> new_ops(b.ops.begin(), b.ops.end());
  for (const auto& op : new_ops) {
    if (!old_ops.count(op)) diff.changes.push_back({ChangeKind::kOps, op, "added: a runtime built for OLD lacks it", {}});
  }
  for (const auto& op : old_ops) {
    if (!new_ops.count(op)) diff.changes.push_back({ChangeKind::kOps, op, "removed", {}});
  }
}

void diffParameters(const Snapshot& a, const Snapshot& b, SnapshotDiff& diff) {
  const auto change = [&](const std::string& param, std::string what) {
    diff.changes.push_back({ChangeKind::kParameters, param, std::move(what), {}});
  };
  matchByName(
      a.parameters, b.parameters,
      [&](const std::string& param, const TensorRecord& p, const TensorRecord& q) {
        if (p.dtype != q.dtype || p.shape != q.shape) {
          change(param, typeText(p) + " -> " + typeText(q));
        } else if (p.digest != q.digest) {
          change(param, "values changed (digest differs)");
        }
      },
      [&](const std::string& param) { change(param, "removed"); },
      [&](const std::string& param, const TensorRecord& q) { change(param, "added: " + typeText(q)); });
}

std::string locationText(const FindingRecord& f) { return f.location.empty() ? "?" : f.location; }

// The findings of `from`, in order, that `against` has no match for (a check
// at a location); repeats count: two in `from` against one leave one.
std::vector<const FindingRecord*> unmatched(const std::vector<FindingRecord>& from,
                                            const std::vector<FindingRecord>& against) {
  const auto key = [](const FindingRecord& f) { return f.check + " at " + locationText(f); };
  std::multiset<std::string> keys;
  for (const auto& f : against) keys.insert(key(f));
  std::vector<const FindingRecord*> out;
  for (const auto& f : from) {
    const auto it = keys.find(key(f));
    if (it == keys.end()) {
      out.push_back(&f);
    } else {
      keys.erase(it);
    }
  }
  return out;
}

void diffFindings(const Snapshot& a, const Snapshot& b, const DiffOptions& options, SnapshotDiff& diff) {
  for (const FindingRecord* f : unmatched(b.findings, a.findings)) {
    diff.changes.push_back({ChangeKind::kFindings, f->check,
                            fmt::format("new {} at {}: {}", f->severity, locationText(*f), f->message), {}});
  }
  if (!options.removed_findings) return;
  for (const FindingRecord* f : unmatched(a.findings, b.findings)) {
    diff.changes.push_back(
        {ChangeKind::kFindings, f->check, fmt::format("gone ({} at {})", f->severity, locationText(*f)), {}});
  }
}

// How output `path` changed from `o` to `n`; nothing when within tolerance.
std::optional<std::string> outputChange(const std::string& path, const TensorRecord& o, const TensorRecord& n,
                                        const DiffOptions& options) {
  if (o.dtype != n.dtype || o.shape != n.shape) return typeText(o) + " -> " + typeText(n);
  if (!o.has_values || !n.has_values) {
    if (o.digest == n.digest) return std::nullopt;
    return std::string(
        "digest differs (values too large to keep, so no tolerance applies; "
        "raise --max-values to compare within a tolerance)");
  }
  const auto dtype = parseDtypeName(o.dtype).value_or(c10::ScalarType::Double);
  const Tolerance tolerance = options.tolerance.forOutput(path, dtype);
  CompareOptions compare;
  compare.tolerance.rtol = tolerance.rtol;
  compare.tolerance.atol = tolerance.atol;
  const auto tensorOf = [](const TensorRecord& t) {
    return at::tensor(t.values, at::dtype(at::kDouble)).reshape(t.shape);
  };
  const OutputDiff d = compareTensors(tensorOf(n), tensorOf(o), path, compare);
  if (d.ok) return std::nullopt;
  return fmt::format("{} of {} elements beyond rtol {:g} atol {:g} (max abs diff {:.3g}; passes with atol {:.3g})",
                     d.mismatched, d.total, tolerance.rtol, tolerance.atol, d.max_abs_diff, d.min_atol);
}

void diffOutputs(const Snapshot& a, const Snapshot& b, const DiffOptions& options, SnapshotDiff& diff) {
  if (a.outputs.empty() && b.outputs.empty()) return;
  if (a.outputs.empty() || b.outputs.empty()) {
    diff.notes.push_back(fmt::format("outputs not compared: {} has none; take both with the same --inputs",
                                     a.outputs.empty() ? "OLD" : "NEW"));
    return;
  }
  if (a.inputs_digest != b.inputs_digest) {
    diff.notes.push_back(fmt::format("outputs not compared: recorded on different inputs ('{}' and '{}')", a.inputs, b.inputs));
    return;
  }
  // Note [Seeded outputs] in snapshot.cpp.
  if (a.outputs_rng == "unreproducible" || b.outputs_rng == "unreproducible") {
    diff.notes.push_back(fmt::format("outputs not compared: {}'s outputs differ between two runs under the same "
                                     "seed (non-deterministic ops); compare them with `jitscope check` and a "
                                     "tolerance",
                                     a.outputs_rng == "unreproducible" ? "OLD" : "NEW"));
    return;
  }
  if (a.outputs_rng == "seeded" || b.outputs_rng == "seeded") {
    diff.notes.push_back("outputs depend on the random generator (random ops or dropout in eval); both were "
                         "recorded under manual_seed(0)");
  }
  const auto change = [&](const std::string& path, std::string what) {
    diff.changes.push_back({ChangeKind::kOutputs, path, std::move(what), {}});
  };
  matchByName(
      a.outputs, b.outputs,
      [&](const std::string& path, const TensorRecord& o, const TensorRecord& n) {
        if (auto what = outputChange(path, o, n, options)) change(path, std::move(*what));
      },
      [&](const std::string& path) { change(path, "no longer returned"); },
      [&](const std::string& path, const TensorRecord&) { change(path, "newly returned"); });
}

}  // namespace

const char* toString(ChangeKind kind) {
  switch (kind) {
    case ChangeKind::kSchema: return "schema";
    case ChangeKind::kMethod: return "method";
    case ChangeKind::kOps: return "ops";
    case ChangeKind::kGraph: return "graph";
    case ChangeKind::kParameters: return "parameters";
    case ChangeKind::kProvenance: return "provenance";
    case ChangeKind::kFindings: return "findings";
    case ChangeKind::kOutputs: return "outputs";
  }
  return "?";
}

SnapshotDiff diffSnapshots(const Snapshot& a, const Snapshot& b, const DiffOptions& options) {
  SnapshotDiff diff;
  diff.old_name = a.model;
  diff.new_name = b.model;
  if (a.libtorch != b.libtorch) {
    diff.notes.push_back(fmt::format("taken with LibTorch {} and {}: fingerprints and operator overloads may "
                                     "differ for that reason alone; compare snapshots of one LibTorch version",
                                     a.libtorch, b.libtorch));
  }
  diffMethods(a, b, diff);
  diffOps(a, b, diff);
  diffParameters(a, b, diff);
  if (a.provenance != b.provenance) {
    diff.changes.push_back({ChangeKind::kProvenance, "model", fmt::format("{} -> {}", a.provenance, b.provenance), {}});
  }
  diffFindings(a, b, options, diff);
  diffOutputs(a, b, options, diff);
  std::stable_sort(diff.changes.begin(), diff.changes.end(),
                   [](const Change& x, const Change& y) { return x.kind < y.kind; });
  return diff;
}

}  // namespace jitscope
