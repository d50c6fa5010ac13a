// `jitscope info`'s analysis: what a loaded model contains, as plain data.
// Rendering (text, JSON) lives in report/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "jitscope/inspector/archive.h"
#include "jitscope/inspector/pinned_devices.h"
#include "jitscope/inspector/provenance.h"

namespace jitscope {

struct LoadedModel;
}  // namespace jitscope

namespace torch::jit {
struct Module;
}  // namespace torch::jit

namespace jitscope {

/// Parameters or buffers of the whole module tree.
struct TensorSummary {
  size_t count = 0;
  uint64_t elements = 0;
  uint64_t bytes = 0;
  std::map<std::string, size_t> dtypes;   ///< "float32" -> tensors
  std::map<std::string, size_t> devices;  ///< "cpu" -> tensors
};

struct MethodInfo {
  std::string name;
  std::string schema;  ///< as FunctionSchema prints it, type names cleaned
  ProvenanceEvidence provenance;  ///< from the method's own graph
};

struct SubmoduleInfo {
  std::string path;       ///< "" for the root, else "layer1.0.conv1"
  std::string type_name;  ///< "torch.nn.modules.conv.Conv2d"
  size_t depth = 0;
  std::vector<MethodInfo> methods;
  ProvenanceEvidence provenance;  ///< all its methods together
  /// The verdict to show: its own, or, for a container whose methods record
  /// no source of their own (nn.Sequential only calls its children), the
  /// combined verdict of its submodules.
  Provenance verdict = Provenance::kUnknown;
  bool verdict_from_submodules = false;
};

/// Node-kind histogram of one method's inlined graph, nested blocks included
/// (what Python's `module.inlined_graph` holds).
struct OpStats {
  std::string method;
  size_t nodes = 0;
  size_t if_nodes = 0;
  size_t loop_nodes = 0;
  std::map<std::string, size_t> ops;  ///< "aten::linear" -> count
};

struct ModuleInfo {
  ArchiveInfo archive;
  std::string linked_torch_version;
  std::vector<SubmoduleInfo> modules;  ///< pre-order, root first
  TensorSummary parameters;
  TensorSummary buffers;
  OpStats forward;  ///< empty method name when there is no forward
  /// Devices forward's inlined graph holds as constants (pinned_devices.h).
  std::vector<PinnedDevice> pinned_devices;
  ProvenanceEvidence provenance;  ///< all methods, and functions they call
};

/// Describes a loaded model. Pure analysis: no output, no side effects.
ModuleInfo describeModel(const LoadedModel& model);

/// Submodule path -> short class name ("layer1.0" -> "BasicBlock"), every
/// submodule of `module`; what a drawing labels its module clusters with.
std::map<std::string, std::string> moduleTypeNames(const torch::jit::Module& module);

/// "__torch__.torch.nn.modules.linear.___torch_mangle_6.Linear" ->
/// "torch.nn.modules.linear.Linear": the prefix and the name-mangling
/// segments TorchScript adds are noise to a reader.
std::string cleanTypeName(std::string name);

}  // namespace jitscope
