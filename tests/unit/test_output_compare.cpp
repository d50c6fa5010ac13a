// compareOutputs: tensors within the dtype's tolerance, NaN/Inf, structure
// (tuples, lists, dicts), and the numbers a report shows per output.
#include "jitscope/validators/output_compare.h"

#include <gtest/gtest.h>
#include <ATen/ATen.h>
#include <ATen/core/ivalue.h>

#include <cmath>

namespace jitscope {
namespace {

using c10::IValue;

at::Tensor ramp() { return at::arange(12, at::kFloat).reshape({3, 4}) + 1; }

TEST(OutputCompare, IdenticalTensorsPass) {
  const auto result = compareOutputs(ramp(), ramp(), {});
  ASSERT_EQ(result.outputs.size(), 1u);
  const OutputDiff& d = result.outputs[0];
  EXPECT_TRUE(result.ok);
  EXPECT_EQ(d.path, "output");
  EXPECT_EQ(d.dtype, "float32");
  EXPECT_EQ(d.shape, (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(d.total, 12);
  EXPECT_EQ(d.mismatched, 0);
  EXPECT_EQ(d.max_abs_diff, 0);
  EXPECT_EQ(d.min_atol, 0);
  // Within tolerance, the worst index is that of the largest difference.
  at::Tensor close = ramp();
  close.index_put_({1, 2}, close.index({1, 2}) + 5e-6);
  const auto near = compareOutputs(close, ramp(), {});
  EXPECT_TRUE(near.ok);
  EXPECT_EQ(near.outputs[0].worst_index, (std::vector<int64_t>{1, 2}));
}

TEST(OutputCompare, PerturbedElementIsFoundWithItsIndexAndMinimumTolerance) {
  at::Tensor actual = ramp();
  actual.index_put_({2, 1}, actual.index({2, 1}) + 0.5);  // expected 10, actual 10.5
  const auto result = compareOutputs(actual, ramp(), {});
  const OutputDiff& d = result.outputs.at(0);
  EXPECT_FALSE(result.ok);
  EXPECT_EQ(d.mismatched, 1);
  EXPECT_EQ(d.worst_index, (std::vector<int64_t>{2, 1}));
  EXPECT_NEAR(d.max_abs_diff, 0.5, 1e-6);
  EXPECT_NEAR(d.max_rel_diff, 0.05, 1e-6);
  EXPECT_DOUBLE_EQ(d.worst_expected, 10.0);
  // The minimum tolerances pass and anything just below fails.
  const Tolerance given = defaultTolerance(at::kFloat);
  EXPECT_NEAR(d.min_atol, 0.5 - given.rtol * 10, 1e-9);
  EXPECT_NEAR(d.min_rtol, (0.5 - given.atol) / 10, 1e-9);
  CompareOptions loose;
  loose.tolerance.atol = d.min_atol * (1 + 1e-9);
  EXPECT_TRUE(compareOutputs(actual, ramp(), loose).ok);
  loose.tolerance.atol = d.min_atol * 0.99;
  EXPECT_FALSE(compareOutputs(actual, ramp(), loose).ok);
}

TEST(OutputCompare, DefaultsFollowTheDtype) {
  EXPECT_GT(defaultTolerance(at::kHalf).rtol, defaultTolerance(at::kFloat).rtol);
  EXPECT_GT(defaultTolerance(at::kBFloat16).rtol, defaultTolerance(at::kHalf).rtol);
  EXPECT_EQ(defaultTolerance(at::kLong).atol, 0);
  // 1e-4 relative is beyond float32's default but within float16's.
  const at::Tensor e = at::ones({4});
  const at::Tensor a = e * (1 + 1e-4);
  EXPECT_FALSE(compareOutputs(a, e, {}).ok);
  EXPECT_TRUE(compareOutputs(a.to(at::kHalf), e.to(at::kHalf), {}).ok);
  // Integers compare exactly.
  EXPECT_FALSE(compareOutputs(at::arange(4) + 1, at::arange(4), {}).ok);
}

TEST(OutputCompare, PerOutputOverrideWins) {
  at::Tensor actual = ramp() + 0.01;
  CompareOptions options;
  options.tolerance.per_output.push_back({"logits", {0, 0.1}});
  c10::Dict<std::string, at::Tensor> a;
  a.insert("logits", actual);
  a.insert("pooled", actual);
  c10::Dict<std::string, at::Tensor> e;
  e.insert("logits", ramp());
  e.insert("pooled", ramp());
  const auto result = compareOutputs(a, e, options);
  ASSERT_EQ(result.outputs.size(), 2u);
  EXPECT_EQ(result.outputs[0].path, "output[\"logits\"]");
  EXPECT_TRUE(result.outputs[0].ok);
  EXPECT_EQ(result.outputs[1].path, "output[\"pooled\"]");
  EXPECT_FALSE(result.outputs[1].ok);
  EXPECT_FALSE(result.ok);
}

TEST(OutputCompare, NanAndInf) {
  const double nan = std::nan("");
  const double inf = INFINITY;
  const at::Tensor e = at::tensor({1.0, nan, inf, 4.0});
  // NaN matches NaN, an infinity the same infinity.
  auto same = compareOutputs(e.clone(), e, {});
  EXPECT_TRUE(same.ok);
  EXPECT_EQ(same.outputs[0].actual_nan, 1);
  EXPECT_EQ(same.outputs[0].expected_inf, 1);
  // A NaN where a number was expected fails at any tolerance.
  const at::Tensor a = at::tensor({1.0, nan, inf, nan});
  auto bad = compareOutputs(a, e, {});
  const OutputDiff& d = bad.outputs[0];
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(d.mismatched, 1);
  EXPECT_EQ(d.actual_nan, 2);
  EXPECT_EQ(d.worst_index, (std::vector<int64_t>{3}));
  EXPECT_TRUE(std::isinf(d.min_atol));
  // -inf against +inf.
  EXPECT_FALSE(compareOutputs(at::tensor({-inf}), at::tensor({inf}), {}).ok);
}

TEST(OutputCompare, StructureMustMatch) {
  const IValue pair = c10::ivalue::Tuple::create({ramp(), ramp()});
  const IValue triple = c10::ivalue::Tuple::create({ramp(), ramp(), ramp()});
  auto r = compareOutputs(pair, triple, {});
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.outputs[0].structure_error, "a tuple of 2 where 3 was expected");
  r = compareOutputs(ramp(), pair, {});
  EXPECT_EQ(r.outputs[0].structure_error, "a tensor where a tuple of 2 was expected");
  r = compareOutputs(ramp().reshape({4, 3}), ramp(), {});
  EXPECT_EQ(r.outputs[0].structure_error, "shape [4, 3] where [3, 4] was expected");
  r = compareOutputs(ramp().to(at::kDouble), ramp(), {});
  EXPECT_EQ(r.outputs[0].structure_error, "dtype float64 where float32 was expected");
  CompareOptions promote;
  promote.dtypes = DtypePolicy::kPromote;
  EXPECT_TRUE(compareOutputs(ramp().to(at::kDouble), ramp(), promote).ok);
  // Nested: each leaf gets its own path.
  c10::List<at::Tensor> list({ramp(), ramp() + 1});
  const IValue nested = c10::ivalue::Tuple::create({ramp(), list});
  c10::List<at::Tensor> list2({ramp(), ramp()});
  r = compareOutputs(nested, c10::ivalue::Tuple::create({ramp(), list2}), {});
  ASSERT_EQ(r.outputs.size(), 3u);
  EXPECT_EQ(r.outputs[2].path, "output[1][1]");
  EXPECT_FALSE(r.outputs[2].ok);
  EXPECT_TRUE(r.outputs[1].ok);
}

TEST(OutputCompare, DictKeysMustMatch) {
  c10::Dict<std::string, at::Tensor> a;
  a.insert("logits", ramp());
  a.insert("extra", ramp());
  c10::Dict<std::string, at::Tensor> e;
  e.insert("logits", ramp());
  e.insert("pooled", ramp());
  const auto r = compareOutputs(a, e, {});
  ASSERT_EQ(r.outputs.size(), 1u);
  EXPECT_EQ(r.outputs[0].structure_error, "dict keys differ: missing \"pooled\"; unexpected \"extra\"");
}

TEST(OutputCompare, Scalars) {
  EXPECT_TRUE(compareOutputs(IValue(2.0), IValue(2.0 + 1e-9), {}).ok);
  EXPECT_FALSE(compareOutputs(IValue(int64_t{2}), IValue(int64_t{3}), {}).ok);
  EXPECT_FALSE(compareOutputs(IValue(2.0), IValue(int64_t{2}), {}).ok);
}

}  // namespace
}  // namespace jitscope
