#include "device_checks.h"

#include <torch/csrc/jit/ir/ir.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>

#include "device_spelling.h"
#include "jitscope/validators/python_source.h"

namespace jitscope {
namespace {

// Note [What the tracer pins]
// LibTorch 1.13's tracer records the device every factory op resolved,
// named or not: torch.zeros(n) and torch.arange(n, device=x.device) both
// become `aten::...(..., %d)` with `%d : Device = prim::Constant[value="cpu"]`,
// and so do torch.ones_like(x) and x.new_zeros(n), whose device eager code
// takes from x. Only ops that take a tensor (x * 0, t.type_as(x)) follow
// the input's device in a trace.
//
// How bad that is depends on what the Python asked for:
//  - a literal (device="cpu", .cuda()): what the user wanted, no finding;
//  - a device from a tensor (x.device), or a *_like/new_* op: eager code
//    follows the input and the trace does not: a warning;
//  - a device through a variable: tracing saw only its value: a warning;
//  - no device on a plain factory (torch.zeros(n)): eager code uses the
//    default device too, so the trace behaves as the source does: a note,
//    for models that will be served on another device.

bool sameDevice(const std::string& pinned, const std::string& device) {
  const c10::Device a(pinned);
  const c10::Device b(device);
  if (a.type() != b.type()) return false;
  return !a.has_index() || !b.has_index() || a.index() == b.index();
}

std::string lineKey(const PinnedDeviceUse& use) {
  return use.location.known() ? use.location.file + ":" + std::to_string(use.location.line)
                              : "\n" + use.module_path + "\n" + use.op;
}

std::string opList(const std::vector<const PinnedDeviceUse*>& uses) {
  std::map<std::string, size_t> counts;
  std::vector<std::string> order;
  for (const auto* use : uses) {
    if (counts[use->op]++ == 0) order.push_back(use->op);
  }
  std::vector<std::string> names;
  for (const auto& op : order) {
    names.push_back(counts[op] > 1 ? fmt::format("{} (x{})", op, counts[op]) : op);
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

const char* kConsequence =
    "served on another device (model.to(\"cuda\") with CUDA inputs, or a model traced on a GPU served on "
    "CPU), this raises a device-mismatch RuntimeError (\"Expected all tensors to be on the same device\") or "
    "copies tensors across devices on every call";
const char* kFix =
    "compute it from a tensor that is already on the right device (x * 0, torch.zeros(n).type_as(x)), move "
    "this code into a @torch.jit.script_if_tracing function (scripting keeps x.device), or trace on the device "
    "the model is served on; note that a trace pins torch.zeros_like(x) and x.new_zeros(...) as well";

Finding findingFor(const std::vector<const PinnedDeviceUse*>& uses, const DeviceSpellingResult& spelling) {
  const PinnedDeviceUse& first = *uses.front();
  std::set<std::string> devices;
  bool follows_tensor = false;
  bool foreign_constant = false;
  for (const auto* use : uses) {
    devices.insert(use->device);
    follows_tensor = follows_tensor || use->follows_tensor;
    foreign_constant = foreign_constant || use->kind == PinnedDeviceUse::Kind::kTensorConstant;
  }
  const std::string where = fmt::format("'{}'", fmt::join(devices, "', '"));
  Finding finding(CheckId::kTraceBakedDevice, "");
  finding.location = first.location;
  finding.module_path = first.module_path;
  finding.node = first.node;
  const std::string ops = opList(uses);
  // "aten::arange makes its tensors" / "aten::randn, aten::to make their tensors"
  const bool one = uses.size() == 1;
  const std::string make = one ? "makes its tensor" : "make their tensors";
  if (foreign_constant) {
    finding.message = fmt::format("a tensor constant on {} was recorded here: the traced model uses it there "
                                  "wherever it runs", where);
  } else {
    switch (spelling.spelling) {
      case DeviceSpelling::kFromTensor:
        finding.message = fmt::format(
            "the device was taken from a tensor ({}) but recorded as the constant {}: {} {} "
            "there wherever the traced model runs", spelling.text, where, ops, make);
        break;
      case DeviceSpelling::kVariable:
        finding.message = fmt::format(
            "the device '{}' was recorded as its trace-time value {}: {} {} there wherever the "
            "traced model runs", spelling.text, where, ops, make);
        break;
      case DeviceSpelling::kAbsent:
        if (follows_tensor) {
          finding.message = fmt::format(
              "no device is named, so eager code follows the input's device, but the trace recorded the "
              "constant {}: {} {} there wherever the traced model runs", where, ops, make);
        } else {
          finding.severity = Severity::kNote;
          finding.message = fmt::format(
              "no device is named, so {} {} on the default device {}, in eager code and in the "
              "trace alike", ops, make, where);
        }
        break;
      default:
        finding.message = fmt::format("the device {} was recorded as a constant: {} {} there "
                                      "wherever the traced model runs", where, ops, make);
        break;
    }
  }
  if (spelling.spelling == DeviceSpelling::kUnknown) {
    finding.notes.push_back("IR-only: the Python source was not readable, so whether this device was named on "
                            "purpose (device=\"cpu\", .cpu()) is unknown; lower confidence");
    // Without the source, only an op that follows a tensor in eager code
    // (zeros_like, new_zeros) is a loss for sure; a factory op or a .to()
    // may name the same device in eager code too (torch.zeros(n), .cpu()).
    bool follows_for_sure = false;
    for (const auto* use : uses) {
      follows_for_sure = follows_for_sure || (use->follows_tensor && use->op != "aten::to");
    }
    if (!follows_for_sure && !foreign_constant) finding.severity = Severity::kNote;
  }
  finding.notes.push_back(kConsequence);
  finding.notes.push_back(std::string("fix: ") + kFix);
  if (uses.size() > 1) finding.notes.push_back(fmt::format("ops with a pinned device on this line: {}", ops));
  return finding;
}

}  // namespace

void checkBakedDevices(const std::vector<PinnedDeviceUse>& all, SourceLocator& locator,
                       std::vector<Finding>& out) {
  std::map<std::string, std::vector<const PinnedDeviceUse*>> lines;
  std::vector<std::string> order;
  for (const auto& use : all) {
    if (use.in_torch_library || use.moved_by_graph) continue;
    if (use.location.known() && isTorchLibraryFile(use.location.file)) continue;
    // CPU tensor constants are the baked-tensor checks' business, and reach
    // other devices only through an aten::to, which is reported itself.
    if (use.kind == PinnedDeviceUse::Kind::kTensorConstant && c10::Device(use.device).is_cpu()) continue;
    auto& line = lines[lineKey(use)];
    if (line.empty()) order.push_back(lineKey(use));
    line.push_back(&use);
  }
  for (const auto& key : order) {
    const auto& uses = lines[key];
    const PinnedDeviceUse& first = *uses.front();
    DeviceSpellingResult spelling;
    if (first.location.known()) {
      if (auto file = locator.fileForRecordedPath(first.location.file)) {
        spelling = classifyDeviceSpelling(statementAt(*file, first.location.line));
      }
    }
    const bool foreign_constant = std::any_of(uses.begin(), uses.end(), [](const PinnedDeviceUse* u) {
      return u->kind == PinnedDeviceUse::Kind::kTensorConstant;
    });
    if (spelling.spelling == DeviceSpelling::kLiteral && !foreign_constant) continue;  // asked for
    out.push_back(findingFor(uses, spelling));
  }
}

void checkBakedDevices(const torch::jit::Graph& graph, SourceLocator& locator, std::vector<Finding>& out) {
  checkBakedDevices(findPinnedDevices(graph), locator, out);
}

bool isDeviceMismatchError(std::string_view message) {
  for (std::string_view marker :
       {"Expected all tensors to be on the same device", "found at least two devices",
        "Expected object of device type", "to be on the same device", "is on cpu, but expected",
        "but expected them to be on", "indices should be either on cpu or on the same device",
        "device type cuda but got device type cpu", "device type cpu but got device type cuda"}) {
    if (message.find(marker) != std::string_view::npos) return true;
  }
  // conv's "Input type (torch.cuda.FloatTensor) and weight type
  // (torch.FloatTensor) should be the same": a device mismatch only when
  // one side is CUDA (DoubleTensor vs FloatTensor is a dtype mismatch).
  const bool input_cuda = message.find("Input type (torch.cuda.") != std::string_view::npos;
  const bool weight_cuda = message.find("weight type (torch.cuda.") != std::string_view::npos;
  return message.find("Input type (") != std::string_view::npos && input_cuda != weight_cuda;
}

std::vector<PinnedDeviceUse> pinnedElsewhere(const std::vector<PinnedDeviceUse>& uses, const std::string& device) {
  std::vector<PinnedDeviceUse> out;
  for (const auto& use : uses) {
    if (use.in_torch_library || use.moved_by_graph || sameDevice(use.device, device)) continue;
    if (use.kind == PinnedDeviceUse::Kind::kTensorConstant && c10::Device(use.device).is_cpu() &&
        use.op == "prim::Constant") {
      continue;  // CPU constants reach other devices only through a reported aten::to
    }
    out.push_back(use);
  }
  return out;
}

namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string_view> linesOf(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

}  // namespace

Finding deviceFailureFinding(std::string_view message, const std::string& device, const std::string& other,
                             const std::vector<PinnedDeviceUse>& uses) {
  const auto lines = linesOf(message);
  // The interpreter's traceback: the serialized code line above "~~~ <--- HERE"
  // is the failing call; the "original code" stack's first user frame is
  // the Python line that recorded it.
  std::string failing;
  std::string recorded;
  std::string error;
  bool in_original = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (failing.empty() && i > 0 && line.find("<--- HERE") != std::string_view::npos) failing = trimmed(lines[i - 1]);
    if (line.find("original code (most recent call last):") != std::string_view::npos) {
      in_original = true;
      continue;
    }
    if (in_original && recorded.empty()) {
      const auto frames = parseTracerStack(trimmed(line));
      if (!frames.empty() && !isTorchLibraryFile(frames.front().file)) {
        recorded = fmt::format("{}:{}", frames.front().file, frames.front().line);
      }
    }
    if (!trimmed(line).empty()) error = trimmed(line);
  }
  // An error, not the row's warning: the model was seen failing.
  Finding finding(CheckId::kTraceBakedDevice,
                  fmt::format("the model fails on {} where it runs {}: {}", device, other, error));
  finding.severity = Severity::kError;
  if (!failing.empty()) {  // serialized TorchScript, not an IR line: a note, not `node`
    finding.notes.push_back(fmt::format("failing operation: {}{}", failing,
                                        recorded.empty() ? "" : " (recorded at " + recorded + ")"));
  }
  const auto elsewhere = pinnedElsewhere(uses, device);
  for (const auto& use : elsewhere) {
    if (!finding.location.known() && use.location.known()) {
      finding.location = use.location;
      finding.module_path = use.module_path;
    }
    finding.notes.push_back(fmt::format("device '{}' pinned by {} at {}", use.device, use.op,
                                        use.location.known() ? use.location.str() : "(no recorded line)"));
    if (finding.notes.size() >= 12) {
      finding.notes.push_back(fmt::format("... {} pinned devices in all", elsewhere.size()));
      break;
    }
  }
  if (elsewhere.empty()) {
    finding.notes.push_back(fmt::format("no constant device other than {} is recorded in the graph; the failure "
                                        "may come from a tensor attribute or a scripted part", device));
  } else {
    finding.notes.push_back("run jitscope audit on the model for the source line of each pinned device and its fix");
  }
  return finding;
}

std::optional<Finding> deviceRunFailure(std::string_view message, const std::string& failed_device,
                                        const std::string& other_device, const std::string& other,
                                        const std::vector<PinnedDeviceUse>& uses) {
  const bool elsewhere = !other_device.empty() && !sameDevice(failed_device, other_device);
  if (!isDeviceMismatchError(message) && !elsewhere) return std::nullopt;
  return deviceFailureFinding(message, failed_device, other, uses);
}

std::optional<Finding> deviceDifference(const std::string& device, const std::string& other_device,
                                        const std::vector<PinnedDeviceUse>& uses) {
  if (sameDevice(device, other_device)) return std::nullopt;
  const auto elsewhere = pinnedElsewhere(uses, device);
  if (elsewhere.empty()) return std::nullopt;
  // An error, not the row's warning: the outputs were seen to differ.
  Finding finding(CheckId::kTraceBakedDevice,
                  fmt::format("the outputs on {} differ from those on {}, and the graph pins {} op(s) to "
                              "another device than {}", device, other_device, elsewhere.size(), device));
  finding.severity = Severity::kError;
  for (const auto& use : elsewhere) {
    if (!finding.location.known() && use.location.known()) {
      finding.location = use.location;
      finding.module_path = use.module_path;
      finding.node = use.node;
    }
    if (finding.notes.size() < 12) {
      finding.notes.push_back(fmt::format("device '{}' pinned by {} at {}", use.device, use.op,
                                          use.location.known() ? use.location.str() : "(no recorded line)"));
    }
  }
  finding.notes.push_back("run jitscope audit on the model for the source line of each pinned device and its fix");
  return finding;
}

}  // namespace jitscope
