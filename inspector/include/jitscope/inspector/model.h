// Loading a TorchScript model: the archive gate (inspectArchive) first, then
// torch::jit::load on CPU. LibTorch errors become InputError here, the one
// boundary where c10::Error is caught.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "jitscope/inspector/archive.h"

namespace torch::jit {
struct Module;
struct Graph;
}  // namespace torch::jit

namespace jitscope {

struct LoadedModel {
  ArchiveInfo archive;
  std::shared_ptr<torch::jit::Module> module;
};

/// Loads `path` onto the CPU (a model saved from CUDA loads too).
LoadedModel loadModel(const std::string& path);

/// How a method's graph is shown: as saved (calls to submodules stay
/// prim::CallMethod) or with every call inlined, as Python's `inlined_graph`.
enum class GraphForm { kAsSaved, kInlined };

/// A copy of the graph of the root module's `method`; throws UsageError
/// naming the available methods when there is none by that name.
std::shared_ptr<torch::jit::Graph> methodGraph(const torch::jit::Module& module,
                                               const std::string& method,
                                               GraphForm form);

/// Names of the root module's methods, in definition order.
std::vector<std::string> methodNames(const torch::jit::Module& module);

}  // namespace jitscope
