#include "branch_equivalence.h"

#include <torch/csrc/api/include/torch/jit.h>
#include <torch/torch.h>

#include <fmt/format.h>

#include "jitscope/validators/output_compare.h"

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
  // Same structure, dtype and shape, values within torch.allclose's
  // rtol 1e-4 / atol 1e-5 (NaN matching NaN): the audit's probe tolerance.
  CompareOptions compare;
  compare.tolerance.rtol = 1e-4;
  compare.tolerance.atol = 1e-5;
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
      if (ok_a != ok_b || !compareOutputs(ra, rb, compare).ok) return std::nullopt;
      ++agreed;
    }
  }
  return agreed >= 3 ? std::optional<size_t>(agreed) : std::nullopt;
}

}  // namespace jitscope
