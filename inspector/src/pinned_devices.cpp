#include "jitscope/inspector/pinned_devices.h"

#include <torch/csrc/jit/ir/ir.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "jitscope/inspector/ir_text.h"

namespace jitscope {
namespace {

bool isDeviceType(const c10::TypePtr& type) {
  if (type->kind() == c10::TypeKind::DeviceObjType) return true;
  const auto optional = type->cast<c10::OptionalType>();
  return optional && optional->getElementType()->kind() == c10::TypeKind::DeviceObjType;
}

// The `*_like` and `new_*` ops take their device from `self` in eager mode;
// aten::to's Device is the conversion target the caller asked for (the
// tracer records aten::to with a device only when one was given, or for
// torch.tensor(...), whose eager default is the default device anyway).
bool followsTensor(const c10::FunctionSchema& schema) {
  // aten::_to_copy is what aten::to decomposes into; the same holds for it.
  if (schema.name() == "aten::to" || schema.name() == "aten::_to_copy") return false;
  for (const auto& arg : schema.arguments()) {
    if (arg.name() == "self" && arg.type()->kind() == c10::TypeKind::TensorType) return true;
  }
  return false;
}

// `torch.zeros(n).type_as(x)`: the result is moved to x's device by the
// graph itself, so the constant device never reaches anything else.
bool movedByGraph(const torch::jit::Value& value) {
  if (value.uses().empty()) return false;
  for (const auto& use : value.uses()) {
    if (use.user->kind() != c10::aten::type_as || use.offset != 0) return false;
  }
  return true;
}

PinnedDeviceUse useAt(const torch::jit::Node& node, PinnedDeviceUse::Kind kind, const c10::Device& device) {
  const NodeSource source = nodeSource(node);
  PinnedDeviceUse use;
  use.kind = kind;
  use.device = device.str();
  use.op = node.kind().toQualString();
  use.location = source.location;
  use.module_path = source.module_path;
  use.node = nodeLine(node);
  use.in_torch_library = !source.stack.empty() && isTorchLibraryFile(source.stack.front().file);
  return use;
}

void walk(const torch::jit::Block& block, std::vector<PinnedDeviceUse>& out) {
  for (const torch::jit::Node* node : block.nodes()) {
    if (node->kind() == c10::prim::Constant) {
      // Python scalars in tensor arithmetic are recorded as 0-dim CPU
      // constants, which mix with tensors of any device.
      const auto value = node->output()->type()->kind() == c10::TypeKind::TensorType
                             ? torch::jit::toIValue(node->output())
                             : c10::nullopt;
      if (value && value->isTensor() && value->toTensor().defined()) {
        const at::Tensor& tensor = value->toTensor();
        if (tensor.dim() > 0 || !tensor.device().is_cpu()) {
          out.push_back(useAt(*node, PinnedDeviceUse::Kind::kTensorConstant, tensor.device()));
        }
      }
    } else if (const c10::FunctionSchema* schema = node->maybeSchema()) {
      const auto& arguments = schema->arguments();
      for (size_t i = 0; i < arguments.size() && i < node->inputs().size(); ++i) {
        if (!isDeviceType(arguments[i].type())) continue;
        const torch::jit::Value* input = node->input(i);
        if (input->node()->kind() != c10::prim::Constant) continue;  // scripted: prim::device(x)
        const auto value = torch::jit::toIValue(input);
        if (!value || !value->isDevice()) continue;  // None: no device named
        PinnedDeviceUse use = useAt(*node, PinnedDeviceUse::Kind::kArgument, value->toDevice());
        use.follows_tensor = followsTensor(*schema);
        use.moved_by_graph = node->outputs().size() == 1 && movedByGraph(*node->output());
        out.push_back(std::move(use));
      }
    }
    for (const torch::jit::Block* sub : node->blocks()) walk(*sub, out);
  }
}

}  // namespace

std::vector<PinnedDeviceUse> findPinnedDevices(const torch::jit::Graph& graph) {
  std::vector<PinnedDeviceUse> out;
  walk(*graph.block(), out);
  return out;
}

std::vector<PinnedDevice> summarizePinnedDevices(const std::vector<PinnedDeviceUse>& uses) {
  using Key = std::tuple<std::string, std::string, std::string, size_t>;
  std::map<Key, PinnedDevice> sums;
  for (const auto& use : uses) {
    PinnedDevice& sum = sums[Key{use.device, use.op, use.location.file, use.location.line}];
    sum.device = use.device;
    sum.op = use.op;
    sum.location = use.location;
    sum.location.column = 0;  // traced nodes have none; keep scripted ones comparable
    ++sum.count;
  }
  std::vector<PinnedDevice> out;
  for (auto& [key, sum] : sums) out.push_back(std::move(sum));
  return out;
}

}  // namespace jitscope
