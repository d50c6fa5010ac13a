// trace-baked-device: devices the tracer recorded as constants where the
// user's code took the device from a tensor or named none, so the traced
// model keeps making tensors on the trace's device wherever it is served.
// Also turns a run that fails on another device into that finding (check
// --device, the audit's probes with --device).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jitscope/inspector/pinned_devices.h"
#include "jitscope/validators/finding.h"

namespace torch::jit {
struct Graph;
}

namespace jitscope {

class SourceLocator;

/// One finding per Python line holding ops with a pinned device, unless the
/// source names that device as a literal (device="cpu", .cuda()): then the
/// user asked for it. Without the source, every pinned device is reported,
/// marked IR-only. Ops that ran inside PyTorch's own files are skipped.
void checkBakedDevices(const torch::jit::Graph& inlined_traced_graph, SourceLocator& locator,
                       std::vector<Finding>& out);

/// Same, from already collected uses (what tests and `check` call).
void checkBakedDevices(const std::vector<PinnedDeviceUse>& uses, SourceLocator& locator,
                       std::vector<Finding>& out);

/// True when `message` (a LibTorch error) says tensors met on different
/// devices: "Expected all tensors to be on the same device", "Input type
/// (torch.cuda.FloatTensor) and weight type (torch.FloatTensor) should be the same", ...
bool isDeviceMismatchError(std::string_view message);

/// The finding for a model that failed on `device` where the other side of
/// the comparison ran: check trace-baked-device, error severity, naming the
/// failing operation (from the TorchScript traceback in `message`, when it
/// has one) and every pinned device of another device than `device`, at
/// its Python line. `other` says where it ran ("on cpu", "the reference").
Finding deviceFailureFinding(std::string_view message, const std::string& device, const std::string& other,
                             const std::vector<PinnedDeviceUse>& uses);

/// A run that failed on `failed_device` where the other side of a
/// comparison ran (on `other_device`; "" for saved outputs, `other` says
/// which): the finding when the error is a device mismatch or the devices
/// differ, nullopt when it is just a failure (the inputs do not fit: exit 3).
std::optional<Finding> deviceRunFailure(std::string_view message, const std::string& failed_device,
                                        const std::string& other_device, const std::string& other,
                                        const std::vector<PinnedDeviceUse>& uses);

/// Outputs that differ between `device` and `other_device`, on a graph that
/// pins devices other than `device`: the finding pointing at them; nullopt
/// when nothing is pinned elsewhere (then the difference is numerics).
std::optional<Finding> deviceDifference(const std::string& device, const std::string& other_device,
                                        const std::vector<PinnedDeviceUse>& uses);

/// The pinned uses of `uses` whose device differs from `device` ("cuda"
/// matches "cuda:0"), skipping PyTorch's own files.
std::vector<PinnedDeviceUse> pinnedElsewhere(const std::vector<PinnedDeviceUse>& uses, const std::string& device);

}  // namespace jitscope
