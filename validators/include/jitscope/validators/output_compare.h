// Comparing what a model returned with what it should have returned:
// tensors element by element within a tolerance that suits the dtype,
// tuples, lists and dicts by structure. The result is plain data per output
// (the renderers in report/ turn it into a table, JSON or JUnit).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <c10/core/ScalarType.h>

namespace c10 {
struct IValue;
}
namespace at {
class Tensor;
}

namespace jitscope {

/// An element passes when |actual - expected| <= atol + rtol * |expected|
/// (torch.allclose). NaN matches NaN and an infinity matches the same one.
struct Tolerance {
  double rtol = 0;
  double atol = 0;
};

/// The defaults per dtype (those of torch.testing.assert_close): float32
/// 1.3e-6/1e-5, float64 1e-7/1e-7, float16 1e-3/1e-5, bfloat16 1.6e-2/1e-5,
/// integers and bool exact.
Tolerance defaultTolerance(c10::ScalarType dtype);

/// --rtol/--atol and per-output overrides.
struct ToleranceOptions {
  std::optional<double> rtol;  ///< replaces the dtype default for every output
  std::optional<double> atol;
  /// Overrides by output path ("output[0]", "output[\"logits\"]") or by the
  /// bare key or index ("logits", "0"); the first match wins.
  std::vector<std::pair<std::string, Tolerance>> per_output;

  /// The tolerance for one output of `dtype` at `path`.
  Tolerance forOutput(const std::string& path, c10::ScalarType dtype) const;
};

/// How one output (a tensor or a scalar leaf) compares.
struct OutputDiff {
  std::string path;   ///< "output", "output[0]", "output[\"logits\"]"
  std::string dtype;  ///< of the actual value ("float32"; "int" for a Python scalar)
  std::vector<int64_t> shape;
  Tolerance tolerance;
  double max_abs_diff = 0;
  /// Over elements whose expected value is not 0.
  double max_rel_diff = 0;
  int64_t mismatched = 0;
  int64_t total = 0;
  /// Of the element furthest outside the tolerance (or of the largest
  /// difference when all pass); empty for scalars.
  std::vector<int64_t> worst_index;
  double worst_actual = 0;
  double worst_expected = 0;
  /// The smallest atol that passes with this rtol, and the smallest rtol
  /// that passes with this atol (infinity when none does: NaN against a
  /// number, or expected 0 beyond atol).
  double min_atol = 0;
  double min_rtol = 0;
  int64_t actual_nan = 0;
  int64_t actual_inf = 0;
  int64_t expected_nan = 0;
  int64_t expected_inf = 0;
  /// Non-empty when the two sides do not have the same structure, shape or
  /// dtype; the numbers above are then not filled.
  std::string structure_error;
  bool ok = true;
};

struct OutputComparison {
  std::vector<OutputDiff> outputs;
  bool ok = true;
};

enum class DtypePolicy {
  kMustMatch,  ///< a different dtype is a structure error
  kPromote,    ///< compare in float64; the tolerance is the looser dtype's
};

struct CompareOptions {
  ToleranceOptions tolerance;
  DtypePolicy dtypes = DtypePolicy::kMustMatch;
};

/// Walks tensors, tuples, lists, dicts and scalars of both values together
/// (tensors may live on any device). `root` names the top ("output").
OutputComparison compareOutputs(const c10::IValue& actual, const c10::IValue& expected,
                                const CompareOptions& options, const std::string& root = "output");

/// One tensor pair; used by compareOutputs and by --localize.
OutputDiff compareTensors(const at::Tensor& actual, const at::Tensor& expected, const std::string& path,
                          const CompareOptions& options);

}  // namespace jitscope
