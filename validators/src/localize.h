// --localize: a method's inlined graph with every tensor intermediate of its
// top-level block captured (cloned right after it is computed, so later
// in-place ops cannot change it), and the alignment of two such runs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "jitscope/validators/cross_check.h"

namespace at {
class Tensor;
}
namespace c10 {
struct IValue;
}
namespace torch::jit {
struct Module;
struct GraphFunction;
}  // namespace torch::jit

namespace jitscope {

class InstrumentedMethod {
 public:
  struct Capture {
    std::string value;        ///< "%input.17"
    std::string op;           ///< kind of the producing node (inside an If: the inner producer)
    std::string canonical_op; ///< conv2d and _convolution both "conv"; in-place suffix dropped
    std::string module_path;
    SourceLocation location;
    std::string node;         ///< IR line of the producer
  };

  InstrumentedMethod(const torch::jit::Module& module, const std::string& method);
  ~InstrumentedMethod();

  const std::vector<Capture>& captures() const { return captures_; }

  /// Runs the method on `args`; returns the captured tensors, on the CPU,
  /// in the order of captures().
  std::vector<at::Tensor> run(const std::vector<c10::IValue>& args) const;

 private:
  const torch::jit::Module& module_;
  std::vector<Capture> captures_;
  std::unique_ptr<torch::jit::GraphFunction> function_;
};

/// Runs both sides and names the first capture of `actual` (in execution
/// order) that differs from its partner in `expected` beyond tolerance.
LocalizeResult localizeDivergence(const InstrumentedMethod& actual, const std::vector<c10::IValue>& actual_args,
                                  const InstrumentedMethod& expected,
                                  const std::vector<c10::IValue>& expected_args, const CompareOptions& options);

}  // namespace jitscope
