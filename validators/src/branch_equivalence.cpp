#include "branch_equivalence.h"

#include <torch/csrc/api/include/torch/jit.h>
#include <torch/torch.h>

#include <fmt/format.h>

namespace jitscope {
namespace {

std::string functionText(const std::string& name, const BranchSide& side,
                         const std::vector<std::string>& inputs,
                         const std::vector<std::string>& outputs) {
  std::string params;
  for (const auto& input : inputs) params += (params.empty() ? "" : ", ") + input + ": Tensor";
  std::string text = fmt::format("def {}({}):\n", name, params);
  std::string line;
  for (const char c : side.body + "\n") {
    if (c == '\n') {
      text += "    " + line + "\n";
      line.clear();
    } else {
      line += c;
    }
  }
  if (!side.returns) {
    std::string tuple;
    for (const auto& output : outputs) tuple += output + ", ";
    text += "    return (" + tuple + ")\n";
  }
  return text;
}

bool same(const c10::IValue& a, const c10::IValue& b) {
  if (a.isTensor() && b.isTensor()) {
    const auto& x = a.toTensor();
    const auto& y = b.toTensor();
    return x.sizes() == y.sizes() && x.scalar_type() == y.scalar_type() &&
           torch::allclose(x.to(torch::kDouble), y.to(torch::kDouble), 1e-4, 1e-5,
                           /*equal_nan=*/true);
  }
  if (a.isTuple() && b.isTuple()) {
    const auto& x = a.toTupleRef().elements();
    const auto& y = b.toTupleRef().elements();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!same(x[i], y[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

std::optional<size_t> sidesAgree(const BranchSide& a, const BranchSide& b,
                                 const std::vector<std::string>& inputs,
                                 const std::vector<std::string>& outputs) {
  if (inputs.empty() || a.returns != b.returns || (!a.returns && outputs.empty())) {
    return std::nullopt;
  }
  std::shared_ptr<torch::jit::CompilationUnit> unit;
  try {
    unit = torch::jit::compile(functionText("side_a", a, inputs, outputs) +
                               functionText("side_b", b, inputs, outputs));
  } catch (const std::exception&) {
    return std::nullopt;  // reads something a function of tensors cannot see
  }
  torch::NoGradGuard no_grad;
  // Shapes the sides' tensors commonly have; values at several scales, with
  // both signs, so value-dependent code takes its different paths.
  const std::vector<std::vector<int64_t>> shapes = {{3, 4}, {2, 5, 6}, {1, 8}, {4}};
  const std::vector<double> scales = {1.0, 10.0, 0.1};
  size_t agreed = 0;
  torch::manual_seed(0);
  for (const auto& shape : shapes) {
    for (const double scale : scales) {
      std::vector<c10::IValue> args;
      for (size_t i = 0; i < inputs.size(); ++i) args.emplace_back(torch::randn(shape) * scale);
      c10::IValue ra, rb;
      bool ok_a = true, ok_b = true;
      try {
        ra = unit->get_function("side_a")(args);
      } catch (const std::exception&) {
        ok_a = false;
      }
      try {
        rb = unit->get_function("side_b")(args);
      } catch (const std::exception&) {
        ok_b = false;
      }
      if (!ok_a && !ok_b) continue;  // neither accepts this shape
      if (ok_a != ok_b || !same(ra, rb)) return std::nullopt;
      ++agreed;
    }
  }
  return agreed >= 3 ? std::optional<size_t>(agreed) : std::nullopt;
}

}  // namespace jitscope
