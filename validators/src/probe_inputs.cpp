#include "probe_inputs.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/serialization/import_read.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <set>
#include <sstream>

#include "jitscope/inspector/model.h"
#include "jitscope/inspector/model_inputs.h"
#include "jitscope/inspector/tensor_format.h"
#include "map_tensors.h"

namespace jitscope {
namespace {

using c10::IValue;
using torch::jit::Node;
using torch::jit::Value;

// What one tensor argument should look like, and what said so.
struct Shape {
  std::vector<int64_t> sizes;
  c10::ScalarType dtype = c10::ScalarType::Float;
  int64_t high = 10;  ///< integer tensors draw from [0, high)
  std::string from;
};

// The attribute a value reads, when it is a chain of prim::GetAttr from self
// (graph input 0).
std::optional<IValue> attributeOf(Value* value, const IValue& self) {
  Node* node = value->node();
  if (node->kind() == c10::prim::Param && value->offset() == 0) return self;
  if (node->kind() != c10::prim::GetAttr) return std::nullopt;
  auto owner = attributeOf(node->input(0), self);
  if (!owner || !owner->isObject()) return std::nullopt;
  const auto object = owner->toObject();
  const std::string& name = node->s(c10::attr::name);
  if (!object->type()->hasAttribute(name)) return std::nullopt;
  return object->getAttr(name);
}

std::optional<at::Tensor> tensorInput(Node* node, size_t index, const IValue& self) {
  if (index >= node->inputs().size()) return std::nullopt;
  auto value = attributeOf(node->input(index), self);
  if (!value || !value->isTensor()) return std::nullopt;
  return value->toTensor();
}

template <typename T>
std::optional<T> constantInput(Node* node, size_t index) {
  if (index >= node->inputs().size()) return std::nullopt;
  const auto value = torch::jit::toIValue(node->input(index));
  if (!value) return std::nullopt;
  if constexpr (std::is_same_v<T, int64_t>) {
    if (value->isInt()) return value->toInt();
  } else if constexpr (std::is_same_v<T, bool>) {
    if (value->isBool()) return value->toBool();
  } else {
    if (value->isIntList()) return value->toIntVector();
  }
  return std::nullopt;
}

// A complete TensorType (sizes and dtype) on the graph's input. Archives
// written by torch.jit.save lose it (the code records `x: Tensor`), but a
// module traced in this process keeps it.
std::optional<Shape> fromType(const Value* input) {
  const auto type = input->type()->cast<c10::TensorType>();
  if (!type || !type->scalarType()) return std::nullopt;
  const auto sizes = type->sizes().concrete_sizes();
  if (!sizes) return std::nullopt;
  return Shape{*sizes, *type->scalarType(), 10, "the graph's input type"};
}

// The parameters of the first op that consumes `input` and fixes its shape.
std::optional<Shape> fromUses(const Value* input, const IValue& self) {
  static const std::set<std::string> convolutions = {"aten::conv1d", "aten::conv2d", "aten::conv3d",
                                                     "aten::_convolution", "aten::convolution"};
  for (const auto& use : input->uses()) {
    Node* node = use.user;
    const std::string kind = node->kind().toQualString();
    if (kind == "aten::linear" && use.offset == 0) {
      auto weight = tensorInput(node, 1, self);
      if (weight && weight->dim() == 2) {
        return Shape{{3, weight->size(1)}, weight->scalar_type(), 10, "aten::linear's weight"};
      }
    } else if (kind == "aten::matmul" && use.offset == 0) {
      auto weight = tensorInput(node, 1, self);
      if (weight && weight->dim() == 2) {
        return Shape{{3, weight->size(0)}, weight->scalar_type(), 10, "aten::matmul's weight"};
      }
    } else if (convolutions.count(kind) && use.offset == 0) {
      auto weight = tensorInput(node, 1, self);
      if (!weight || weight->dim() < 3) continue;
      const bool underscored = kind != "aten::conv1d" && kind != "aten::conv2d" && kind != "aten::conv3d";
      const int64_t groups = constantInput<int64_t>(node, underscored ? 8 : 6).value_or(1);
      const bool transposed = underscored && constantInput<bool>(node, 6).value_or(false);
      std::vector<int64_t> sizes = {2, transposed ? weight->size(0) : weight->size(1) * groups};
      for (int64_t d = 2; d < weight->dim(); ++d) sizes.push_back(std::max<int64_t>(8, 2 * weight->size(d)));
      return Shape{sizes, weight->scalar_type(), 10, kind + "'s weight"};
    } else if (kind == "aten::embedding" && use.offset == 1) {
      auto weight = tensorInput(node, 0, self);
      if (weight && weight->dim() == 2) {
        return Shape{{2, 5}, c10::ScalarType::Long, weight->size(0), "aten::embedding's table"};
      }
    } else if (kind == "aten::batch_norm" && use.offset == 0) {
      auto mean = tensorInput(node, 3, self);
      if (!mean) mean = tensorInput(node, 1, self);
      if (mean && mean->dim() == 1) return Shape{{3, mean->size(0)}, mean->scalar_type(), 10, "aten::batch_norm's statistics"};
    } else if (kind == "aten::layer_norm" && use.offset == 0) {
      if (auto normalized = constantInput<std::vector<int64_t>>(node, 1)) {
        std::vector<int64_t> sizes = {3};
        sizes.insert(sizes.end(), normalized->begin(), normalized->end());
        return Shape{sizes, c10::ScalarType::Float, 10, "aten::layer_norm's normalized shape"};
      }
    }
  }
  return std::nullopt;
}

// Shapes and dtypes tried, in order, for a tensor that nothing recorded a
// shape for.
const std::vector<std::pair<std::vector<int64_t>, c10::ScalarType>>& guesses() {
  using c10::ScalarType;
  static const std::vector<std::pair<std::vector<int64_t>, ScalarType>> shapes = {
      {{3, 4}, ScalarType::Float}, {{4}, ScalarType::Float},     {{2, 3, 4}, ScalarType::Float},
      {{2, 3, 8, 8}, ScalarType::Float}, {{}, ScalarType::Float}, {{3, 4}, ScalarType::Long},
      {{4}, ScalarType::Long},   {{}, ScalarType::Long}};
  return shapes;
}

// Which guess each argument takes, attempt by attempt: all undescribed
// tensors on the first guess; then, with two or more of them, each one
// alone on every other guess while the others keep the first (a 0-dim
// count beside a [3, 4] input); then all alike on each other guess.
std::vector<std::vector<size_t>> attempts(const std::vector<bool>& undescribed) {
  const size_t n = undescribed.size();
  size_t count = 0;
  for (bool u : undescribed) count += u;
  std::vector<std::vector<size_t>> out = {std::vector<size_t>(n, 0)};
  if (count == 0) return out;
  for (size_t i = 0; i < n && count >= 2; ++i) {
    if (!undescribed[i]) continue;
    for (size_t g = 1; g < guesses().size(); ++g) {
      out.emplace_back(n, 0);
      out.back()[i] = g;
    }
  }
  for (size_t g = 1; g < guesses().size(); ++g) out.emplace_back(n, g);
  return out;
}

at::Tensor randomTensor(const Shape& shape, at::Generator& generator) {
  if (c10::isFloatingType(shape.dtype)) {
    return at::randn(shape.sizes, generator, at::TensorOptions().dtype(at::kDouble)).to(shape.dtype);
  }
  if (shape.dtype == c10::ScalarType::Bool) {
    return at::randint(0, 2, shape.sizes, generator, at::TensorOptions().dtype(at::kLong)).to(at::kBool);
  }
  return at::randint(0, shape.high, shape.sizes, generator, at::TensorOptions().dtype(at::kLong)).to(shape.dtype);
}

// True when `module` runs on a copy of `args`.
bool runs(const torch::jit::Module& module, const std::vector<IValue>& args, std::string& error) {
  try {
    at::NoGradGuard no_grad;
    std::vector<IValue> copy;
    for (const auto& arg : args) copy.push_back(arg.isTensor() ? IValue(arg.toTensor().clone()) : arg);
    module.get_method("forward")(copy);
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    error = error.substr(0, error.find('\n'));
    return false;
  }
}

}  // namespace

std::optional<StoredInputs> readStoredTraceInputs(const std::string& archive_path,
                                                  const std::string& method) {
  try {
    caffe2::serialize::PyTorchStreamReader reader(archive_path);
    if (!reader.hasRecord("traced_inputs.pkl")) return std::nullopt;
    // Dict[str, List[Any]]: method name -> its positional arguments
    // (ScriptModuleSerializer writes it from Module::retrieve_traced_inputs).
    const IValue stored = torch::jit::readArchiveAndTensors(
        "traced_inputs", /*pickle_prefix=*/"", /*tensor_prefix=*/"traced_inputs/", c10::nullopt,
        c10::nullopt, at::Device(at::kCPU), reader);
    if (!stored.isGenericDict()) return std::nullopt;
    for (const auto& entry : stored.toGenericDict()) {
      if (!entry.key().isString() || entry.key().toStringRef() != method || !entry.value().isList()) continue;
      const auto list = entry.value().toListRef();
      StoredInputs result{std::vector<IValue>(list.begin(), list.end()), true};
      // The unpickler sizes each storage from the pickle, not from its
      // record, so an empty record is only seen here.
      for (const auto& name : reader.getAllRecords()) {
        if (name.rfind("traced_inputs/", 0) == 0 && std::get<1>(reader.getRecord(name)) == 0) {
          result.has_values = false;
        }
      }
      return result;
    }
  } catch (const std::exception&) {
    // An archive that does not hold them readably has none to offer.
  }
  return std::nullopt;
}

ProbeInputs probeInputsFor(const std::string& archive_path, const torch::jit::Module& traced,
                           const torch::jit::Module& reference, const SettingNames& names) {
  ProbeInputs result;
  std::string stored_problem;
  if (auto stored = readStoredTraceInputs(archive_path)) {
    // torch 2.x writes the stored inputs with skip_tensor_data: each tensor
    // keeps its sizes, strides and dtype, but its record is empty. Such a
    // tensor is replaced by a seeded random one of the same shape and dtype
    // (reading it would run past its storage).
    auto generator = at::make_generator<at::CPUGeneratorImpl>(0);
    std::vector<std::string> described;
    const bool values_kept = stored->has_values;
    const auto& arguments = traced.get_method("forward").function().getSchema().arguments();
    for (size_t i = 0; i < stored->args.size(); ++i) {
      const std::string name = i + 1 < arguments.size() ? arguments[i + 1].name() : fmt::format("#{}", i);
      auto& arg = stored->args[i];
      arg = mapTensors(arg, [&](const at::Tensor& t) -> at::Tensor {
        described.push_back(fmt::format("{}: [{}] {}", name, fmt::join(t.sizes(), ", "), dtypeName(t.scalar_type())));
        if (values_kept) return t.clone();
        return randomTensor(Shape{t.sizes().vec(), t.scalar_type(), 10, ""}, generator);
      });
    }
    std::string error;
    try {
      checkInputs(stored->args, traced, "forward", archive_path);
      if (runs(reference, stored->args, error)) {
        result.origin = ProbeInputs::Origin::kStored;
        result.args = std::move(stored->args);
        result.description = fmt::format(
            "the example inputs the trace stored in the archive (traced_inputs.pkl): {}{}",
            fmt::join(described, "; "),
            values_kept ? "" : ", with random values (seed 0): the archive keeps their shapes and dtypes only");
        return result;
      }
      stored_problem = "the stored example inputs (traced_inputs.pkl) do not run on the reference: " + error;
    } catch (const std::exception& e) {
      stored_problem = std::string("the stored example inputs (traced_inputs.pkl) do not fit: ") + e.what();
    }
  }

  const auto graph = methodGraph(traced, "forward", GraphForm::kInlined);
  const auto& schema = traced.get_method("forward").function().getSchema();
  const IValue self = traced._ivalue();
  // Per argument after self: a fixed shape, a fixed non-tensor value, or
  // nothing (a tensor to guess).
  std::vector<std::optional<Shape>> shapes(schema.arguments().size() - 1);
  std::vector<std::optional<IValue>> values(shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) {
    const auto& argument = schema.arguments()[i + 1];
    const auto& type = argument.type();
    if (type->kind() == c10::TypeKind::TensorType) {
      const Value* input = i + 1 < graph->inputs().size() ? graph->inputs()[i + 1] : nullptr;
      if (input) shapes[i] = fromType(input) ? fromType(input) : fromUses(input, self);
      continue;
    }
    if (argument.default_value()) {
      values[i] = *argument.default_value();
    } else if (type->kind() == c10::TypeKind::IntType) {
      values[i] = IValue(int64_t{2});
    } else if (type->kind() == c10::TypeKind::FloatType) {
      values[i] = IValue(0.5);
    } else if (type->kind() == c10::TypeKind::BoolType) {
      values[i] = IValue(false);
    } else if (type->kind() == c10::TypeKind::OptionalType) {
      values[i] = IValue();
    } else {
      result.description = fmt::format("none: argument '{}' is a {}, which cannot be derived; pass {}",
                                       argument.name(), type->annotation_str(),
                                       nameOf(names, Setting::kInputs));
      return result;
    }
  }

  std::string last_error;
  std::vector<bool> undescribed(shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) undescribed[i] = !values[i] && !shapes[i];
  for (const auto& attempt : attempts(undescribed)) {
    auto generator = at::make_generator<at::CPUGeneratorImpl>(0);
    std::vector<IValue> args;
    std::vector<std::string> described;
    for (size_t i = 0; i < shapes.size(); ++i) {
      const std::string& name = schema.arguments()[i + 1].name();
      if (values[i]) {
        args.push_back(*values[i]);
        std::ostringstream text;
        text << *values[i];
        described.push_back(fmt::format("{} = {}", name, text.str()));
        continue;
      }
      const auto& [sizes, dtype] = guesses()[attempt[i]];
      const Shape shape = shapes[i] ? *shapes[i] : Shape{sizes, dtype, 10, "a guess: nothing recorded its shape"};
      args.push_back(randomTensor(shape, generator));
      described.push_back(fmt::format("{}: [{}] {} ({})", name, fmt::join(shape.sizes, ", "),
                                      dtypeName(shape.dtype), shape.from));
    }
    if (!runs(traced, args, last_error) || !runs(reference, args, last_error)) continue;
    result.origin = ProbeInputs::Origin::kDerived;
    result.args = std::move(args);
    result.description = fmt::format("random (seed 0), shaped from what the archive records: {}",
                                     fmt::join(described, "; "));
    if (!stored_problem.empty()) result.description += "; " + stored_problem;
    return result;
  }
  result.description = fmt::format("none: no derived input ran on both models (last error: {}); pass {}",
                                    last_error, nameOf(names, Setting::kInputs));
  if (!stored_problem.empty()) result.description += "; " + stored_problem;
  return result;
}

}  // namespace jitscope
