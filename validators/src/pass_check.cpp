#include "jitscope/validators/pass_check.h"

#include <ATen/Context.h>
#include <ATen/core/grad_mode.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/api/module.h>

#include <fmt/format.h>

#include "jitscope/core/errors.h"
#include "jitscope/inspector/model_inputs.h"

namespace jitscope {
namespace {

using c10::IValue;
using torch::jit::Module;

// Note [Fresh functions for checks]
// A method keeps the executor it compiled on its first call; a graph pass
// that changes the method's graph in place afterwards is not seen by it. So
// every check copies forward's current graph into a new GraphFunction.
IValue runForward(const Module& module, const std::vector<IValue>& args, const std::string& path) {
  at::NoGradGuard no_grad;
  // Every run under the same seed, so a model with random ops in eval
  // (dropout left on) compares equal with itself (Note [Seeded outputs] in
  // snapshot.cpp).
  at::manual_seed(0);
  torch::jit::GraphFunction function("jitscope_check", module.get_method("forward").graph()->copy(), nullptr);
  torch::jit::Stack stack;
  stack.emplace_back(module._ivalue());
  for (const auto& arg : args) stack.push_back(arg);
  try {
    function.run(stack);
  } catch (const c10::Error& e) {
    throw InputError(path, "the model fails on the inputs: " + firstLine(e.what_without_backtrace()));
  }
  return stack.back();
}

}  // namespace

CheckedPipeline runCheckedPipeline(Module& module, const std::vector<const PassInfo*>& passes,
                                   PipelineOptions options, const InputSet& inputs,
                                   const CompareOptions& compare, OutputCheck mode) {
  Module original = module.clone();
  original.eval();
  const IValue expected = runForward(original, inputs.args, options.model_path);

  CheckedPipeline result;
  result.inputs = inputs.label;
  if (mode == OutputCheck::kBisect) {
    options.after_pass.push_back([&](const PassInfo& pass, const Module& current, const PassStats&) {
      if (result.first_difference) return;  // found; the rest runs unchecked
      const IValue actual = runForward(current, inputs.args, options.model_path);
      result.checks.push_back({pass.name, compareOutputs(actual, expected, compare)});
      if (!result.checks.back().comparison.ok) result.first_difference = result.checks.size() - 1;
    });
  }
  result.report = runPipeline(module, passes, options);
  if (mode == OutputCheck::kVerify) {
    const IValue actual = runForward(module, inputs.args, options.model_path);
    result.checks.push_back({passes.empty() ? "" : passes.back()->name, compareOutputs(actual, expected, compare)});
    if (!result.checks.back().comparison.ok) result.first_difference = 0;
  }
  return result;
}

}  // namespace jitscope
