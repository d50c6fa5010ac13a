#include "jitscope/validators/output_compare.h"

#include <ATen/ATen.h>
#include <ATen/core/ivalue.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <limits>

#include "jitscope/inspector/tensor_format.h"

namespace jitscope {
namespace {

using c10::IValue;

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string keyText(const IValue& key) {
  if (key.isString()) return fmt::format("\"{}\"", key.toStringRef());
  if (key.isInt()) return std::to_string(key.toInt());
  return c10::str(key);
}

std::string kindOf(const IValue& v) {
  if (v.isTensor()) return "a tensor";
  if (v.isTuple()) return fmt::format("a tuple of {}", v.toTupleRef().elements().size());
  if (v.isList()) return fmt::format("a list of {}", v.toListRef().size());
  if (v.isGenericDict()) return fmt::format("a dict of {}", v.toGenericDict().size());
  if (v.isNone()) return "None";
  return fmt::format("a {}", v.tagKind());
}

std::string bareKey(const std::string& path) {
  const auto open = path.rfind('[');
  if (open == std::string::npos) return path;
  std::string key = path.substr(open + 1, path.size() - open - 2);
  if (key.size() >= 2 && key.front() == '"') key = key.substr(1, key.size() - 2);
  return key;
}

// Tolerance of the less precise of two dtypes.
Tolerance looser(Tolerance a, Tolerance b) {
  return {std::max(a.rtol, b.rtol), std::max(a.atol, b.atol)};
}

void walk(const IValue& actual, const IValue& expected, const std::string& path, const CompareOptions& options,
          std::vector<OutputDiff>& out) {
  auto structure = [&](std::string why) {
    OutputDiff d;
    d.path = path;
    d.structure_error = std::move(why);
    d.ok = false;
    out.push_back(std::move(d));
  };
  if (actual.isTensor() && expected.isTensor()) {
    out.push_back(compareTensors(actual.toTensor(), expected.toTensor(), path, options));
    return;
  }
  // A tuple or a list: the same length, then element by element.
  auto sequence = [&](const char* kind, c10::ArrayRef<IValue> a, c10::ArrayRef<IValue> e) {
    if (a.size() != e.size()) return structure(fmt::format("a {} of {} where {} was expected", kind, a.size(), e.size()));
    for (size_t i = 0; i < a.size(); ++i) walk(a[i], e[i], fmt::format("{}[{}]", path, i), options, out);
  };
  if (actual.isTuple() && expected.isTuple()) {
    return sequence("tuple", actual.toTupleRef().elements(), expected.toTupleRef().elements());
  }
  if (actual.isList() && expected.isList()) return sequence("list", actual.toListRef(), expected.toListRef());
  if (actual.isGenericDict() && expected.isGenericDict()) {
    const auto a = actual.toGenericDict();
    const auto e = expected.toGenericDict();
    std::vector<std::string> missing;
    std::vector<std::string> extra;
    for (const auto& entry : e) {
      if (!a.contains(entry.key())) missing.push_back(keyText(entry.key()));
    }
    for (const auto& entry : a) {
      if (!e.contains(entry.key())) extra.push_back(keyText(entry.key()));
    }
    if (!missing.empty() || !extra.empty()) {
      std::string why = "dict keys differ:";
      if (!missing.empty()) why += fmt::format(" missing {}", fmt::join(missing, ", "));
      if (!missing.empty() && !extra.empty()) why += ";";
      if (!extra.empty()) why += fmt::format(" unexpected {}", fmt::join(extra, ", "));
      return structure(why);
    }
    // The expected side's order (insertion order of the dict).
    for (const auto& entry : e) {
      walk(a.at(entry.key()), entry.value(), fmt::format("{}[{}]", path, keyText(entry.key())), options, out);
    }
    return;
  }
  const bool a_number = actual.isDouble() || actual.isInt() || actual.isBool();
  const bool e_number = expected.isDouble() || expected.isInt() || expected.isBool();
  if (a_number && e_number && actual.tagKind() == expected.tagKind()) {
    OutputDiff d;
    d.path = path;
    d.dtype = actual.tagKind();
    d.total = 1;
    const double x = actual.isDouble() ? actual.toDouble() : actual.isInt() ? actual.toInt() : actual.toBool();
    const double y = expected.isDouble() ? expected.toDouble() : expected.isInt() ? expected.toInt() : expected.toBool();
    d.tolerance = actual.isDouble() ? options.tolerance.forOutput(path, c10::ScalarType::Double) : Tolerance{};
    d.worst_actual = x;
    d.worst_expected = y;
    const bool both_nan = std::isnan(x) && std::isnan(y);
    const double diff = both_nan || x == y ? 0.0 : std::isnan(x - y) ? kInf : std::fabs(x - y);
    d.max_abs_diff = diff;
    d.max_rel_diff = y != 0 ? diff / std::fabs(y) : 0;
    d.actual_nan = std::isnan(x);
    d.actual_inf = std::isinf(x);
    d.expected_nan = std::isnan(y);
    d.expected_inf = std::isinf(y);
    d.mismatched = diff > d.tolerance.atol + d.tolerance.rtol * std::fabs(y) ? 1 : 0;
    d.min_atol = std::max(0.0, diff - d.tolerance.rtol * std::fabs(y));
    d.min_rtol = diff <= d.tolerance.atol ? 0 : y != 0 ? (diff - d.tolerance.atol) / std::fabs(y) : kInf;
    d.ok = d.mismatched == 0;
    out.push_back(std::move(d));
    return;
  }
  if (actual.isNone() && expected.isNone()) return;
  if (actual.isString() && expected.isString()) {
    if (actual.toStringRef() != expected.toStringRef()) {
      structure(fmt::format("the string '{}' where '{}' was expected", actual.toStringRef(), expected.toStringRef()));
    }
    return;
  }
  structure(fmt::format("{} where {} was expected", kindOf(actual), kindOf(expected)));
}

}  // namespace

Tolerance defaultTolerance(c10::ScalarType dtype) {
  switch (dtype) {
    case c10::ScalarType::Float: return {1.3e-6, 1e-5};
    case c10::ScalarType::ComplexFloat: return {1.3e-6, 1e-5};
    case c10::ScalarType::Double: return {1e-7, 1e-7};
    case c10::ScalarType::ComplexDouble: return {1e-7, 1e-7};
    case c10::ScalarType::Half: return {1e-3, 1e-5};
    case c10::ScalarType::BFloat16: return {1.6e-2, 1e-5};
    default: return {0, 0};
  }
}

Tolerance ToleranceOptions::forOutput(const std::string& path, c10::ScalarType dtype) const {
  for (const auto& [name, tolerance] : per_output) {
    if (name == path || name == bareKey(path)) return tolerance;
  }
  Tolerance t = defaultTolerance(dtype);
  if (rtol) t.rtol = *rtol;
  if (atol) t.atol = *atol;
  return t;
}

OutputDiff compareTensors(const at::Tensor& actual_in, const at::Tensor& expected_in, const std::string& path,
                          const CompareOptions& options) {
  OutputDiff d;
  d.path = path;
  d.dtype = dtypeName(actual_in.scalar_type());
  d.shape = actual_in.sizes().vec();
  if (actual_in.sizes() != expected_in.sizes()) {
    d.structure_error = fmt::format("shape [{}] where [{}] was expected", fmt::join(actual_in.sizes(), ", "),
                                    fmt::join(expected_in.sizes(), ", "));
    d.ok = false;
    return d;
  }
  if (actual_in.scalar_type() != expected_in.scalar_type()) {
    if (options.dtypes == DtypePolicy::kMustMatch) {
      d.structure_error = fmt::format("dtype {} where {} was expected", dtypeName(actual_in.scalar_type()),
                                      dtypeName(expected_in.scalar_type()));
      d.ok = false;
      return d;
    }
    d.tolerance = looser(options.tolerance.forOutput(path, actual_in.scalar_type()),
                         options.tolerance.forOutput(path, expected_in.scalar_type()));
  } else {
    d.tolerance = options.tolerance.forOutput(path, actual_in.scalar_type());
  }
  at::Tensor a = actual_in.detach().to(at::kCPU);
  at::Tensor e = expected_in.detach().to(at::kCPU);
  if (a.is_complex()) a = at::view_as_real(a.resolve_conj());
  if (e.is_complex()) e = at::view_as_real(e.resolve_conj());
  a = a.to(at::kDouble).reshape({-1});
  e = e.to(at::kDouble).reshape({-1});
  d.total = actual_in.numel();
  if (a.numel() == 0) return d;
  const at::Tensor a_nan = a.isnan();
  const at::Tensor e_nan = e.isnan();
  d.actual_nan = a_nan.sum().item<int64_t>();
  d.expected_nan = e_nan.sum().item<int64_t>();
  d.actual_inf = a.isinf().sum().item<int64_t>();
  d.expected_inf = e.isinf().sum().item<int64_t>();
  // Per element: the difference, with equal values (NaN and NaN, the same
  // infinity) at 0 and a NaN against anything else at infinity.
  at::Tensor diff = (a - e).abs();
  const at::Tensor equal = (a == e).logical_or(a_nan.logical_and(e_nan));
  diff = at::where(equal, at::zeros_like(diff), diff);
  diff = at::where(diff.isnan(), at::full_like(diff, kInf), diff);
  // Non-finite expected values must be matched exactly: no tolerance is
  // derived from them.
  const at::Tensor e_abs = at::where(e.isfinite(), e.abs(), at::zeros_like(e));
  const at::Tensor allowed = d.tolerance.atol + d.tolerance.rtol * e_abs;
  const at::Tensor bad = diff > allowed;
  d.mismatched = bad.sum().item<int64_t>();
  d.max_abs_diff = diff.max().item<double>();
  const at::Tensor nonzero = e_abs > 0;
  if (nonzero.any().item<bool>()) {
    d.max_rel_diff = at::where(nonzero, diff / e_abs, at::zeros_like(diff)).max().item<double>();
  }
  d.min_atol = at::clamp_min(diff - d.tolerance.rtol * e_abs, 0).max().item<double>();
  {
    const at::Tensor beyond = diff > d.tolerance.atol;
    if (beyond.any().item<bool>()) {
      const at::Tensor needed = at::where(beyond, (diff - d.tolerance.atol) / e_abs, at::zeros_like(diff));
      d.min_rtol = at::where(needed.isnan(), at::full_like(needed, kInf), needed).max().item<double>();
    }
  }
  // The element furthest outside tolerance; when all pass, the largest
  // difference (the first element when there is none).
  const int64_t worst = d.mismatched > 0 ? (diff - allowed).argmax().item<int64_t>() : diff.argmax().item<int64_t>();
  d.worst_actual = a[worst].item<double>();
  d.worst_expected = e[worst].item<double>();
  // Elements of view_as_real come in pairs: the complex index is worst / 2.
  int64_t flat = actual_in.is_complex() ? worst / 2 : worst;
  d.worst_index.assign(actual_in.dim(), 0);
  for (int64_t dim = actual_in.dim() - 1; dim >= 0; --dim) {
    const int64_t size = actual_in.size(dim);
    d.worst_index[dim] = size ? flat % size : 0;
    flat = size ? flat / size : 0;
  }
  d.ok = d.mismatched == 0;
  return d;
}

OutputComparison compareOutputs(const IValue& actual, const IValue& expected, const CompareOptions& options,
                                const std::string& root) {
  OutputComparison result;
  walk(actual, expected, root, options, result.outputs);
  for (const auto& d : result.outputs) result.ok = result.ok && d.ok;
  return result;
}

}  // namespace jitscope
