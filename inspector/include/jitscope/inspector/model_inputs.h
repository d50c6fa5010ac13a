// Inputs for running a model: read from a file written by Python's
// torch.save, or generated from shape specs with a seed. Both are checked
// against the method's schema (argument count and types) and, where the
// graph shows it, the dtype and rank each argument needs, so a wrong input
// is one InputError naming the argument before anything runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <ATen/core/ivalue.h>
#include <c10/core/ScalarType.h>

#include "jitscope/inspector/tensor_format.h"

namespace torch::jit {
struct Module;
}

namespace jitscope {

/// One call's positional arguments (after self).
struct InputSet {
  std::string label;  ///< the file name, or "generated (seed 0)"
  std::vector<c10::IValue> args;
  /// How many leading args the file or the specs gave (all, unless said);
  /// the rest are the method's defaults, which inputsFor replaces with
  /// another method's own.
  size_t given = SIZE_MAX;
};

/// Reads `path` (a tensor, a tuple or list of arguments, or a dict keyed by
/// argument name) as the arguments of `module.method`. Throws InputError
/// naming the file, the argument and the expectation when the count, type,
/// dtype or rank does not fit.
InputSet readInputFile(const std::string& path, const torch::jit::Module& module,
                       const std::string& method = "forward");

/// `2x3x224x224:float32`, `ids=1x128:int64[0,30522)`: an optional argument
/// name, sizes, an optional dtype (default float32) and an optional value
/// range [low,high) (default: normal(0,1) for floating types, [0,10) for
/// integers, {false,true} for bool).
struct ShapeSpec {
  std::string name;  ///< empty: the next positional argument
  std::vector<int64_t> sizes;
  c10::ScalarType dtype = c10::ScalarType::Float;
  std::optional<std::pair<double, double>> range;
  std::string text;  ///< as written, for messages
};

/// Parses one --shape value; throws UsageError showing the accepted forms.
ShapeSpec parseShapeSpec(const std::string& text);

/// Random tensors for `specs` (named ones by argument name, the others in
/// order), reproducible for a given `seed`, checked like readInputFile.
InputSet generateInputs(const std::vector<ShapeSpec>& specs, const torch::jit::Module& module,
                        const std::string& method, uint64_t seed);

/// The arguments of `inputs` for another module's `method` (check
/// --against, audit --reference): the ones the file gave, then that
/// method's own defaults (a scripted `forward(a, b, int n=12)` beside its
/// trace `forward(a, b)`), checked like readInputFile.
std::vector<c10::IValue> inputsFor(const InputSet& inputs, const torch::jit::Module& module,
                                   const std::string& method);

/// Throws InputError (with `label` as the path) when `args` do not fit
/// `module.method`: count, schema types, and the dtype/rank that the ops
/// consuming each argument need (conv, linear, embedding indices, ...).
void checkInputs(const std::vector<c10::IValue>& args, const torch::jit::Module& module,
                 const std::string& method, const std::string& label);

}  // namespace jitscope
