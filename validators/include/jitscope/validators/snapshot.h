// `jitscope snapshot`: what a later export of a model must keep, as plain
// data that serializes to stable, human-diffable JSON (docs/commands/snapshot.md):
// method schemas, a canonical graph fingerprint, the operator set, the graph's
// structure keyed by module path and source line, parameter shapes, dtypes and
// digests, provenance, audit findings, and outputs on recorded inputs.
//
// Nothing in a snapshot depends on value debug names, node numbering, the
// archive's bytes, the folder it was exported from or the machine: two exports
// of the same model give the same snapshot (tests/unit/test_snapshot.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "jitscope/validators/finding.h"

namespace jitscope {

struct LoadedModel;
struct ModuleInfo;

struct MethodSnapshot {
  std::string name;
  /// Arguments after self and the return type: "forward(Tensor x) -> Tensor".
  std::string schema;
  /// SHA-1 of the canonical text of the inlined graph (see Note [Canonical graph]).
  std::string fingerprint;
  size_t nodes = 0;
  /// Nodes of the inlined graph keyed "module path | file:line | kind" (file
  /// is the base name; "-" where unknown), constants and attribute reads left
  /// out: how diff aligns two graphs without node numbers.
  std::map<std::string, size_t> structure;
};

struct TensorRecord {
  std::string name;  ///< "layer1.0.conv1.weight"; for outputs the path "output[0]"
  std::string dtype;
  std::vector<int64_t> shape;
  std::string digest;  ///< SHA-1 of the contiguous CPU bytes
  double min = 0, max = 0, mean = 0;  ///< outputs only (0 for empty or non-numeric)
  /// Outputs of at most SnapshotOptions::max_values elements: the values, as
  /// float64, so diff can apply a tolerance; empty otherwise.
  std::vector<double> values;
  bool has_values = false;
};

struct FindingRecord {
  std::string check;
  std::string severity;
  std::string location;  ///< "classic.py:21" (base name), or "" when unknown
  std::string message;
};

/// A device forward's graph holds as a constant (inspector/pinned_devices.h).
struct DeviceRecord {
  std::string device;    ///< "cpu", "cuda:0"
  std::string op;        ///< "aten::arange"; "prim::Constant" for a tensor constant
  std::string location;  ///< "model.py:9" (base name), or "" when unknown
  size_t count = 0;
};

struct Snapshot {
  static constexpr int kFormatVersion = 1;
  std::string model;  ///< base name of the .pt it was taken from
  /// LibTorch that took it ("1.13.1"): IR and operator overloads differ
  /// between LibTorch versions, so diff notes a mismatch.
  std::string libtorch;
  std::string provenance;
  std::vector<MethodSnapshot> methods;  ///< root module's methods, by name
  /// Registered operators the methods call, with overload ("aten::add.Tensor"):
  /// what a selective LibTorch or mobile build must contain.
  std::vector<std::string> ops;
  std::vector<TensorRecord> parameters;  ///< parameters then buffers, by name
  /// Pinned devices of forward, sorted by device, op, location: what a CI
  /// rule for a model served on CUDA can forbid ("cpu").
  std::vector<DeviceRecord> devices;
  std::vector<FindingRecord> findings;
  std::string inputs;         ///< base name of the --inputs file; "" when none
  std::string inputs_digest;  ///< SHA-1 over the input tensors
  /// How the outputs depend on the random generator (dropout left on,
  /// torch.rand in eval): "" not at all; "seeded": they change with the
  /// seed and were recorded under manual_seed(0), as every snapshot and diff
  /// runs; "unreproducible": two runs under the same seed differed, so
  /// diff does not compare them.
  std::string outputs_rng;
  std::vector<TensorRecord> outputs;
};

struct SnapshotOptions {
  std::string inputs;         ///< torch.save'd inputs for forward; "" for none
  bool audit = true;          ///< include audit findings
  /// Findings of an audit with default options the caller already ran on
  /// this model: used instead of auditing again.
  std::optional<std::vector<Finding>> findings;
  int64_t max_values = 4096;  ///< keep output values up to this many elements
};

/// Takes the snapshot of a model loaded with TensorData::kLoad. Throws
/// InputError when the inputs do not fit forward or forward fails on them.
/// `info`: describeModel(model), when the caller already has it (the model
/// session does); nullptr describes the model here.
Snapshot takeSnapshot(const LoadedModel& model, const std::string& path, const SnapshotOptions& options,
                      const ModuleInfo* info = nullptr);

/// The JSON text (keys documented in docs/commands/snapshot.md).
std::string snapshotToJson(const Snapshot& snapshot);
/// Parses snapshotToJson's output; throws InputError naming `path` when the
/// text is not a jitscope snapshot of a known format version.
Snapshot snapshotFromJson(const std::string& text, const std::string& path);

/// The canonical text the fingerprint hashes (for tests and --verbose use).
std::string canonicalGraphText(const LoadedModel& model, const std::string& method);

}  // namespace jitscope
