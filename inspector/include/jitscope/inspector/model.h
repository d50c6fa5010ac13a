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

/// Whether loading reads the tensor records (weights and buffers).
enum class TensorData {
  kLoad,  ///< everything: the model can run
  /// Code, module structure, shapes and dtypes only. The tensor records are
  /// not read: parameters get storage that is never filled, so their values
  /// are undefined and the model must not be run. Time and memory then stop
  /// growing with the size of the weights (see docs/benchmarks.md).
  kSkip,
};

/// Loads `path` onto the CPU (a model saved from CUDA loads too).
LoadedModel loadModel(const std::string& path, TensorData tensors = TensorData::kLoad);

/// Saves `module` to `path` whole or not at all (through AtomicFile: a
/// temporary file beside `path`, renamed over it when complete). A module
/// LibTorch cannot serialize is an InputError naming `path`.
void saveModel(const torch::jit::Module& module, const std::string& path);

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
