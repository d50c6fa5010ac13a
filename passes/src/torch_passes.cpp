// One small wrapper per LibTorch pass, and the registry table built from
// passes.def. Every LibTorch pass header is included here and nowhere else,
// so version differences between LibTorch 1.13 and 2.x stay in this file.
// Today the signatures used are the same in both; a difference would be
// spelled with JITSCOPE_TORCH_AT_LEAST from core/torch_compat.h.
#include "builtin_passes.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/passes/canonicalize.h>
#include <torch/csrc/jit/passes/common_subexpression_elimination.h>
#include <torch/csrc/jit/passes/constant_pooling.h>
#include <torch/csrc/jit/passes/constant_propagation.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>
#include <torch/csrc/jit/passes/eliminate_no_ops.h>
#include <torch/csrc/jit/passes/fold_conv_bn.h>
#include <torch/csrc/jit/passes/freeze_module.h>
#include <torch/csrc/jit/passes/frozen_concat_linear.h>
#include <torch/csrc/jit/passes/frozen_conv_folding.h>
#include <torch/csrc/jit/passes/frozen_linear_transpose.h>
#include <torch/csrc/jit/passes/fuse_linear.h>
#include <torch/csrc/jit/passes/fuse_relu.h>
#include <torch/csrc/jit/passes/inline_fork_wait.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/passes/loop_unrolling.h>
#include <torch/csrc/jit/passes/lower_tuples.h>
#include <torch/csrc/jit/passes/normalize_ops.h>
#include <torch/csrc/jit/passes/peephole.h>
#include <torch/csrc/jit/passes/remove_dropout.h>
#include <torch/csrc/jit/passes/remove_exceptions.h>
#include <torch/csrc/jit/passes/remove_mutation.h>
#include <torch/csrc/jit/passes/xnnpack_rewrite.h>

namespace jitscope {
namespace {

using GraphPtr = std::shared_ptr<torch::jit::Graph>;
using torch::jit::Module;

// Module state.

void setEvalMode(Module& module) { module.eval(); }

// Note [Freezing keeps the root's methods]
// torch.jit.freeze preserves only forward unless told otherwise, which
// silently drops methods a C++ caller may use (@torch.jit.export). We
// preserve every root method. freeze_module does not run the frozen-graph
// optimizations that torch.jit.freeze adds (dropout removal, conv folding,
// concat linear): those are separate passes here, so each shows in the stats.
void freezeModule(Module& module) {
  std::vector<std::string> methods;
  for (const auto& method : module.get_methods()) {
    if (method.name() != "forward") methods.push_back(method.name());
  }
  module = torch::jit::freeze_module(module, methods);
}

void foldConvBatchNormModule(Module& module) { module = torch::jit::FoldConvBatchNorm(module); }

// Structure and cleanup.

void inlineCalls(GraphPtr& graph) { torch::jit::Inline(*graph); }
void inlineForkWait(GraphPtr& graph) { torch::jit::InlineForkWait(graph); }
void eliminateDeadCode(GraphPtr& graph) { torch::jit::EliminateDeadCode(graph); }
void eliminateCommonSubexpression(GraphPtr& graph) {
  torch::jit::EliminateCommonSubexpression(graph);
}
void propagateConstants(GraphPtr& graph) { torch::jit::ConstantPropagation(graph); }
void poolConstants(GraphPtr& graph) { torch::jit::ConstantPooling(graph); }
void peephole(GraphPtr& graph) { torch::jit::PeepholeOptimize(graph); }
// Canonicalize returns a new graph; the runner installs it as the method.
void canonicalize(GraphPtr& graph) { graph = torch::jit::Canonicalize(graph); }
// As torch._C._jit_pass_remove_mutation: lists first, then tensors.
void removeMutation(GraphPtr& graph) {
  torch::jit::RemoveListMutation(graph);
  torch::jit::RemoveTensorMutation(graph);
}
void lowerSimpleTuples(GraphPtr& graph) { torch::jit::LowerSimpleTuples(graph); }
void removeExceptions(GraphPtr& graph) { torch::jit::EliminateExceptions(graph); }
void eliminateNoOps(GraphPtr& graph) { torch::jit::EliminateNoOps(graph); }
void normalizeOps(GraphPtr& graph) { torch::jit::NormalizeOps(graph); }
void unrollLoops(GraphPtr& graph) { torch::jit::UnrollLoops(graph); }

// Fusion and folding.

void removeDropout(GraphPtr& graph) { torch::jit::removeDropout(graph); }
void fuseLinear(GraphPtr& graph) { torch::jit::FuseLinear(graph); }
void fuseAddRelu(GraphPtr& graph) { torch::jit::FuseAddRelu(graph); }
void foldFrozenConvBatchNorm(GraphPtr& graph) { torch::jit::FoldFrozenConvBatchnorm(graph); }
void foldFrozenConvAddOrSub(GraphPtr& graph) { torch::jit::FoldFrozenConvAddOrSub(graph); }
void foldFrozenConvMulOrDiv(GraphPtr& graph) { torch::jit::FoldFrozenConvMulOrDiv(graph); }
void frozenConcatLinear(GraphPtr& graph) { torch::jit::FrozenConcatLinear(graph); }
void frozenLinearTranspose(GraphPtr& graph) { torch::jit::FrozenLinearTranspose(graph); }

// XNNPACK.

void insertPrepackedOps(GraphPtr& graph) { torch::jit::insertPrePackedOps(graph); }
void fusePrepackedClamp(Module& module) { torch::jit::fusePrePackedLinearConvWithClamp(module); }
void foldPrepackingOps(Module& module) { torch::jit::FoldPrePackingOps(module); }

}  // namespace

namespace detail {

std::vector<PassInfo>& passTable() {
  constexpr PassNeeds kNone = PassNeeds::kNone;
  constexpr PassNeeds kEvalMode = PassNeeds::kEvalMode;
  constexpr PassNeeds kFrozen = PassNeeds::kFrozen;
  static std::vector<PassInfo> table = {
#define JITSCOPE_GRAPH_PASS(name, description, needs, function) \
  {name, description, needs, kNone, PassLevel::kGraph, &function, nullptr},
#define JITSCOPE_MODULE_PASS(name, description, needs, provides, function) \
  {name, description, needs, provides, PassLevel::kModule, nullptr, &function},
#include "jitscope/passes/passes.def"
#undef JITSCOPE_GRAPH_PASS
#undef JITSCOPE_MODULE_PASS
  };
  return table;
}

}  // namespace detail
}  // namespace jitscope
