// Devices a traced graph holds as constants.
//
// The tracer records a device as a prim::Constant wherever an op takes one
// (LibTorch 1.13, checked by tracing: torch.zeros(n), torch.arange(n,
// device=x.device), torch.ones_like(x), x.new_zeros(n), x.to(x.device),
// torch.tensor([...]) and x.cpu() all record `Device = prim::Constant
// [value="cpu"]`), so a trace made on one device keeps making tensors there
// when served on another. Tensor constants (a captured tensor) carry their
// device too. This is the plain data behind the audit's trace-baked-device
// check and the "devices" of `info --format json` and `snapshot`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "jitscope/inspector/source_location.h"

namespace torch::jit {
struct Graph;
}

namespace jitscope {

/// One node of the graph that receives a constant device.
struct PinnedDeviceUse {
  enum class Kind {
    kArgument,        ///< a Device/Device? argument of the op's schema is a constant
    kTensorConstant,  ///< a prim::Constant tensor (it lives on that device)
  };
  Kind kind = Kind::kArgument;
  std::string device;       ///< "cpu", "cuda:0"
  std::string op;           ///< "aten::arange"; "prim::Constant" for a tensor constant
  SourceLocation location;  ///< the user's Python line, when recorded
  std::string module_path;  ///< submodule that ran it, "" for the root
  std::string node;         ///< the node's IR line
  /// Eager code would have taken the device from a tensor argument (the
  /// `*_like` and `new_*` ops: a `Tensor self` beside the Device argument),
  /// so the constant is a loss of tracing even when the source names no device.
  bool follows_tensor = false;
  /// The op's result only feeds ops that move it to a traced tensor's device
  /// (`torch.zeros(n).type_as(x)`): the pinned device never reaches the output.
  bool moved_by_graph = false;
  /// The recorded stack's innermost frame is in the torch package (the op
  /// ran inside PyTorch's own code, e.g. nn.functional).
  bool in_torch_library = false;
};

/// Every pinned device of `inlined_graph` (nested blocks included), in graph order.
std::vector<PinnedDeviceUse> findPinnedDevices(const torch::jit::Graph& inlined_graph);

/// The uses summed by (device, op, location): what `info` and `snapshot` list.
struct PinnedDevice {
  std::string device;
  std::string op;
  SourceLocation location;
  size_t count = 0;
};

/// Sorted by device, op, file, line: stable for snapshot diffs.
std::vector<PinnedDevice> summarizePinnedDevices(const std::vector<PinnedDeviceUse>& uses);

}  // namespace jitscope
