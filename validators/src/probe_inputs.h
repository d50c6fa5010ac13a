// Inputs for the probes when the user gives none (`audit --reference R.pt`
// without --inputs). In order of preference:
//  1. the example inputs torch >= 2.0's tracer stores in the archive
//     (traced_inputs.pkl, method name -> the positional arguments). torch
//     2.x writes them without their data (skip_tensor_data): their shapes
//     and dtypes are kept and filled with seeded random values;
//  2. seeded random tensors whose shape and dtype come from what the archive
//     records: a complete TensorType on the traced graph's input, else the
//     parameters of the ops that consume the input (linear, conv, embedding,
//     batch/layer norm); the schema says which arguments are tensors and
//     gives the defaults of the others.
// A derived set is kept only when both the trace and the reference run on it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <ATen/core/ivalue.h>

#include "jitscope/core/errors.h"

namespace torch::jit {
struct Module;
}

namespace jitscope {

struct ProbeInputs {
  enum class Origin { kNone, kStored, kDerived };
  Origin origin = Origin::kNone;
  std::vector<c10::IValue> args;  ///< one input set; empty when kNone
  /// For the report: where the inputs came from and, when derived, each
  /// argument's shape and dtype and what it was read from; when kNone, why
  /// no set could be made.
  std::string description;
};

struct StoredInputs {
  std::vector<c10::IValue> args;
  /// False when the tensor records are empty (torch 2.x): the tensors then
  /// have sizes, strides and dtype but no data, and must not be read.
  bool has_values = false;
};

/// The arguments stored for `method` in `archive_path`'s traced_inputs.pkl;
/// nullopt when there is none or it cannot be read.
std::optional<StoredInputs> readStoredTraceInputs(const std::string& archive_path,
                                                  const std::string& method = "forward");

/// Stored inputs when `traced` was saved with them and they fit, else
/// derived ones (seed 0), else none with the reason.
/// `names`: how the reason's advice names the inputs setting.
ProbeInputs probeInputsFor(const std::string& archive_path, const torch::jit::Module& traced,
                           const torch::jit::Module& reference, const SettingNames& names = {});

}  // namespace jitscope
