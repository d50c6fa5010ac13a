#include "jitscope/inspector/model_inputs.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>

#include "jitscope/core/errors.h"
#include "jitscope/core/suggest.h"
#include "jitscope/inspector/archive.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/tensor_file.h"
#include "jitscope/inspector/tensor_format.h"

namespace jitscope {
namespace {

using c10::IValue;

const c10::FunctionSchema& schemaOf(const torch::jit::Module& module, const std::string& method) {
  if (!module.find_method(method)) {
    methodGraph(module, method, GraphForm::kAsSaved);  // throws UsageError naming the methods
  }
  return module.get_method(method).function().getSchema();
}

std::string argumentName(const c10::FunctionSchema& schema, size_t index) {
  return fmt::format("argument '{}' ({})", schema.arguments()[index + 1].name(), index);
}

std::string describe(const IValue& value) {
  if (value.isTensor()) {
    const at::Tensor& t = value.toTensor();
    return fmt::format("a {}-D {} tensor of shape [{}]", t.dim(), dtypeName(t.scalar_type()),
                       fmt::join(t.sizes(), ", "));
  }
  return fmt::format("a value of type {}", value.type()->annotation_str());
}

// What the ops consuming a graph input need of it. Only direct uses are
// looked at: that is where a wrong input first fails, with an error from
// deep inside the interpreter.
struct Need {
  std::set<int64_t> ranks;                     ///< empty: any
  std::optional<c10::ScalarType> dtype;        ///< exact dtype (the weights')
  bool floating = false;                       ///< any floating dtype
  bool integral = false;                       ///< int8..int64
  std::string why;                             ///< "it feeds aten::conv2d"
};

// The attribute a value reads, when it is a chain of prim::GetAttr from self.
// `bound`: what the caller passed for parameters of a called method's graph.
using Bindings = std::map<const torch::jit::Value*, IValue>;

std::optional<IValue> attributeValue(torch::jit::Value* value, const IValue& self, const Bindings& bound = {}) {
  if (auto it = bound.find(value); it != bound.end()) return it->second;
  torch::jit::Node* node = value->node();
  if (node->kind() == c10::prim::Param && value->offset() == 0) return self;
  if (node->kind() != c10::prim::GetAttr) return std::nullopt;
  auto owner = attributeValue(node->input(0), self, bound);
  if (!owner || !owner->isObject()) return std::nullopt;
  const auto object = owner->toObject();
  const std::string& name = node->s(c10::attr::name);
  if (!object->type()->hasAttribute(name)) return std::nullopt;
  return object->getAttr(name);
}

std::optional<at::Tensor> weightOf(torch::jit::Node* node, size_t input, const IValue& self, const Bindings& bound) {
  if (node->inputs().size() <= input) return std::nullopt;
  auto value = attributeValue(node->input(input), self, bound);
  if (!value || !value->isTensor()) return std::nullopt;
  return value->toTensor();
}

std::optional<Need> needOf(const torch::jit::Use& use, const IValue& self, const Bindings& bound) {
  torch::jit::Node* node = use.user;
  const std::string kind = node->kind().toQualString();
  Need need;
  need.why = "it feeds " + kind;
  static const std::set<std::string> convolutions = {"aten::conv1d", "aten::conv2d", "aten::conv3d",
                                                     "aten::_convolution", "aten::convolution"};
  if (convolutions.count(kind) && use.offset == 0) {
    need.floating = true;
    if (auto weight = weightOf(node, 1, self, bound)) {
      need.dtype = weight->scalar_type();
      need.ranks = {weight->dim() - 1, weight->dim()};  // unbatched or batched
    }
    return need;
  }
  if (kind == "aten::linear" && use.offset == 0) {
    need.floating = true;
    need.ranks = {};
    if (auto weight = weightOf(node, 1, self, bound)) need.dtype = weight->scalar_type();
    return need;
  }
  if (kind == "aten::embedding" && use.offset == 1) {
    need.integral = true;
    need.why += " as indices";
    return need;
  }
  return std::nullopt;
}

bool isIntegral(c10::ScalarType t) { return c10::isIntegralType(t, /*includeBool=*/false); }

void checkNeed(const at::Tensor& t, const Need& need, const std::string& what, const std::string& label) {
  const bool rank_ok = need.ranks.empty() || need.ranks.count(t.dim());
  bool dtype_ok = true;
  std::string dtype_text;
  if (need.dtype) {
    dtype_ok = t.scalar_type() == *need.dtype;
    dtype_text = dtypeName(*need.dtype);
  } else if (need.floating) {
    dtype_ok = c10::isFloatingType(t.scalar_type());
    dtype_text = "floating-point";
  } else if (need.integral) {
    dtype_ok = isIntegral(t.scalar_type());
    dtype_text = "integer";
  }
  if (rank_ok && dtype_ok) return;
  std::string rank_text;
  if (!need.ranks.empty()) {
    std::vector<std::string> ranks;
    for (int64_t r : need.ranks) ranks.push_back(fmt::format("{}-D", r));
    rank_text = fmt::format("{} ", fmt::join(ranks, " or "));
  }
  const std::string wanted = fmt::format("{}{}{}tensor", rank_text, dtype_text, dtype_text.empty() ? "" : " ");
  const bool vowel = std::string("aeiou8").find(wanted.front()) != std::string::npos;
  throw InputError(label, fmt::format("{} should be {} {} ({}), got {}", what, vowel ? "an" : "a", wanted,
                                      need.why, describe(t)));
}

// Checks `t` against the direct uses of `value`, following calls of
// submodule methods (self.conv1(x)) into their graphs rather than inlining
// the whole method, which costs more than the check itself on big models.
void checkUses(torch::jit::Value* value, const IValue& self, const Bindings& bound, const at::Tensor& t,
               const std::string& what, const std::string& label, int depth) {
  for (const torch::jit::Use& use : value->uses()) {
    if (auto need = needOf(use, self, bound)) checkNeed(t, *need, what, label);
    torch::jit::Node* node = use.user;
    if (node->kind() != c10::prim::CallMethod || use.offset == 0 || depth >= 8) continue;
    const auto callee = attributeValue(node->input(0), self, bound);
    if (!callee || !callee->isObject()) continue;
    const auto& name = node->s(c10::attr::name);
    const auto object = callee->toObject();
    if (!object->type()->findMethod(name)) continue;
    const auto& function = torch::jit::toGraphFunction(object->type()->getMethod(name));
    const auto graph = function.graph();
    if (graph->inputs().size() != node->inputs().size()) continue;
    Bindings callee_bound;  // weights passed on: self._conv_forward(input, self.weight, self.bias)
    for (size_t i = 1; i < node->inputs().size(); ++i) {
      if (auto known = attributeValue(node->input(i), self, bound)) callee_bound[graph->inputs()[i]] = *known;
    }
    checkUses(graph->inputs()[use.offset], *callee, callee_bound, t, what, label, depth + 1);
  }
}

bool fitsType(const IValue& value, const c10::TypePtr& type) {
  if (type->kind() == c10::TypeKind::OptionalType) {
    return value.isNone() || fitsType(value, type->expectRef<c10::OptionalType>().getElementType());
  }
  switch (type->kind()) {
    case c10::TypeKind::TensorType: return value.isTensor();
    case c10::TypeKind::IntType: return value.isInt();
    case c10::TypeKind::FloatType: return value.isDouble() || value.isInt();
    case c10::TypeKind::BoolType: return value.isBool();
    case c10::TypeKind::StringType: return value.isString();
    case c10::TypeKind::ListType: return value.isList();
    case c10::TypeKind::DictType: return value.isGenericDict();
    case c10::TypeKind::TupleType:
      return value.isTuple() &&
             value.toTupleRef().elements().size() == type->expectRef<c10::TupleType>().elements().size();
    default: return true;  // leave the rest to the interpreter
  }
}

// Lists and dicts from the unpickler are typed List[Any]/Dict[Any, Any]; the
// interpreter wants the element types of the schema.
IValue retype(const IValue& value, const c10::TypePtr& type) {
  if (value.isList() && type->kind() == c10::TypeKind::ListType) {
    const auto elem = type->expectRef<c10::ListType>().getElementType();
    c10::impl::GenericList out(elem);
    for (const auto& item : value.toListRef()) out.push_back(retype(item, elem));
    return out;
  }
  if (value.isGenericDict() && type->kind() == c10::TypeKind::DictType) {
    const auto& dict_type = type->expectRef<c10::DictType>();
    c10::impl::GenericDict out(dict_type.getKeyType(), dict_type.getValueType());
    for (const auto& entry : value.toGenericDict()) {
      out.insert(entry.key(), retype(entry.value(), dict_type.getValueType()));
    }
    return out;
  }
  if (value.isTuple() && type->kind() == c10::TypeKind::TupleType) {
    const auto& elems = type->expectRef<c10::TupleType>().elements();
    const auto& items = value.toTupleRef().elements();
    if (items.size() != elems.size()) return value;
    std::vector<IValue> out;
    for (size_t i = 0; i < items.size(); ++i) out.push_back(retype(items[i], elems[i]));
    return c10::ivalue::Tuple::create(std::move(out));
  }
  return value;
}

std::vector<std::string> argumentNames(const c10::FunctionSchema& schema) {
  std::vector<std::string> names;
  for (size_t i = 1; i < schema.arguments().size(); ++i) names.push_back(schema.arguments()[i].name());
  return names;
}

// Fills trailing arguments that have defaults; the count must then match.
void completeWithDefaults(std::vector<IValue>& args, const c10::FunctionSchema& schema,
                          const std::string& method, const std::string& label) {
  const size_t total = schema.arguments().size() - 1;
  size_t required = 0;
  for (size_t i = 1; i < schema.arguments().size(); ++i) {
    if (!schema.arguments()[i].default_value()) required = i;
  }
  if (args.size() < required || args.size() > total) {
    const std::string takes = required == total ? fmt::format("{}", total)
                                                : fmt::format("{} to {}", required, total);
    throw InputError(label, fmt::format("holds {} input(s) but {} takes {} ({})", args.size(), method,
                                        takes, fmt::join(argumentNames(schema), ", ")));
  }
  for (size_t i = args.size(); i < total; ++i) args.push_back(*schema.arguments()[i + 1].default_value());
}

}  // namespace

void checkInputs(const std::vector<IValue>& args, const torch::jit::Module& module,
                 const std::string& method, const std::string& label) {
  const auto& schema = schemaOf(module, method);
  if (args.size() + 1 != schema.arguments().size()) {
    throw InputError(label, fmt::format("holds {} input(s) but {} takes {} ({})", args.size(), method,
                                        schema.arguments().size() - 1,
                                        fmt::join(argumentNames(schema), ", ")));
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const auto& type = schema.arguments()[i + 1].type();
    if (!fitsType(args[i], type)) {
      throw InputError(label, fmt::format("{} of {} should be {}, got {}", argumentName(schema, i), method,
                                          type->annotation_str(), describe(args[i])));
    }
  }
  // What the consuming ops need (the graph as saved rarely carries dtypes).
  const auto graph = module.get_method(method).graph();
  for (size_t i = 0; i < args.size(); ++i) {
    if (!args[i].isTensor() || !args[i].toTensor().defined()) continue;
    checkUses(graph->inputs()[i + 1], module._ivalue(), {}, args[i].toTensor(),
              argumentName(schema, i) + " of " + method, label, /*depth=*/0);
  }
}

InputSet readInputFile(const std::string& path, const torch::jit::Module& module, const std::string& method) {
  const auto& schema = schemaOf(module, method);
  const IValue value = readTensorFile(path, "inputs");
  const size_t count = schema.arguments().size() - 1;
  std::vector<IValue> args;
  size_t given = 0;  // set below for a dict; otherwise what the file holds
  // One argument whose own type is the container: the value is that argument.
  if (count >= 1 && (value.isTuple() || value.isList() || value.isGenericDict()) &&
      schema.arguments()[1].type()->kind() != c10::TypeKind::TensorType &&
      fitsType(value, schema.arguments()[1].type()) &&
      !(value.isGenericDict() && count > 1)) {
    args.push_back(value);
  } else if (value.isTuple()) {
    for (const auto& item : value.toTupleRef().elements()) args.push_back(item);
  } else if (value.isList()) {
    for (const auto& item : value.toListRef()) args.push_back(item);
  } else if (value.isGenericDict()) {
    const auto dict = value.toGenericDict();
    const auto names = argumentNames(schema);
    for (const auto& entry : dict) {
      const std::string key = entry.key().isString() ? entry.key().toStringRef() : "";
      if (std::find(names.begin(), names.end(), key) == names.end()) {
        const auto close = closestMatch(key, names);
        throw InputError(path, fmt::format("inputs have an entry '{}' but {} has no such argument{} ({})",
                                           key, method,
                                           close ? fmt::format("; did you mean '{}'?", *close) : "",
                                           fmt::join(names, ", ")));
      }
    }
    for (size_t i = 1; i < schema.arguments().size(); ++i) {
      const auto& arg = schema.arguments()[i];
      if (dict.contains(arg.name())) {
        args.push_back(dict.at(arg.name()));
        given = i;
      } else if (arg.default_value()) {
        args.push_back(*arg.default_value());
      } else {
        throw InputError(path, fmt::format("inputs have no entry '{}' for {} of {}", arg.name(),
                                           argumentName(schema, i - 1), method));
      }
    }
  } else {
    args.push_back(value);
  }
  if (!value.isGenericDict() || args.size() == 1) given = std::max(given, args.size());
  completeWithDefaults(args, schema, method, path);
  for (size_t i = 0; i < args.size(); ++i) args[i] = retype(args[i], schema.arguments()[i + 1].type());
  checkInputs(args, module, method, path);
  const auto slash = path.rfind('/');
  return {slash == std::string::npos ? path : path.substr(slash + 1), std::move(args), given};
}

std::vector<IValue> inputsFor(const InputSet& inputs, const torch::jit::Module& module, const std::string& method) {
  const auto& schema = schemaOf(module, method);
  std::vector<IValue> args(inputs.args.begin(),
                           inputs.args.begin() + static_cast<std::ptrdiff_t>(std::min(inputs.given, inputs.args.size())));
  completeWithDefaults(args, schema, method, inputs.label);
  for (size_t i = 0; i < args.size(); ++i) args[i] = retype(args[i], schema.arguments()[i + 1].type());
  checkInputs(args, module, method, inputs.label);
  return args;
}

ShapeSpec parseShapeSpec(const std::string& text) {
  static const std::regex form(
      R"(^(?:([A-Za-z_][A-Za-z0-9_]*)=)?(scalar|[0-9]+(?:x[0-9]+)*)(?::([a-z0-9]+))?)"
      R"((?:\[(-?[0-9.eE+-]+),(-?[0-9.eE+-]+)\))?$)");
  const std::string forms =
      "use SIZES[:DTYPE][[LOW,HIGH)] with an optional NAME= in front, e.g. 2x3x224x224:float32, "
      "ids=1x128:int64[0,30522), scalar:float64";
  std::smatch m;
  if (!std::regex_match(text, m, form)) {
    throw UsageError(fmt::format("cannot read --shape '{}'; {}", text, forms));
  }
  ShapeSpec spec;
  spec.text = text;
  spec.name = m[1].str();
  if (m[2].str() != "scalar") {
    std::string sizes = m[2].str();
    size_t start = 0;
    while (true) {
      const size_t x = sizes.find('x', start);
      spec.sizes.push_back(std::stoll(sizes.substr(start, x - start)));
      if (x == std::string::npos) break;
      start = x + 1;
    }
  }
  if (m[3].matched) {
    auto dtype = parseDtypeName(m[3].str());
    if (!dtype) {
      throw UsageError(fmt::format("unknown dtype '{}' in --shape '{}'; use float32, float64, float16, "
                                   "bfloat16, int64, int32, int16, int8, uint8 or bool",
                                   m[3].str(), text));
    }
    spec.dtype = *dtype;
  }
  if (m[4].matched) {
    double low = 0;
    double high = 0;
    try {
      low = std::stod(m[4].str());
      high = std::stod(m[5].str());
    } catch (const std::exception&) {
      throw UsageError(fmt::format("cannot read the range in --shape '{}'; {}", text, forms));
    }
    if (!(low < high)) {
      throw UsageError(fmt::format("empty range [{},{}) in --shape '{}'; LOW must be below HIGH", m[4].str(),
                                   m[5].str(), text));
    }
    spec.range = {low, high};
  }
  return spec;
}

InputSet generateInputs(const std::vector<ShapeSpec>& specs, const torch::jit::Module& module,
                        const std::string& method, uint64_t seed) {
  const auto& schema = schemaOf(module, method);
  const auto names = argumentNames(schema);
  const std::string label = fmt::format("generated (seed {})", seed);
  std::vector<std::optional<IValue>> slots(names.size());
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto make = [&](const ShapeSpec& spec) -> IValue {
    const auto options = at::TensorOptions().dtype(at::kDouble);
    at::Tensor t;
    if (c10::isFloatingType(spec.dtype)) {
      t = spec.range ? at::empty(spec.sizes, options).uniform_(spec.range->first, spec.range->second, generator)
                     : at::randn(spec.sizes, generator, options);
    } else {
      const auto [low, high] = spec.range.value_or(
          spec.dtype == c10::ScalarType::Bool ? std::pair<double, double>{0, 2} : std::pair<double, double>{0, 10});
      t = at::randint(static_cast<int64_t>(std::ceil(low)), static_cast<int64_t>(std::ceil(high)), spec.sizes,
                      generator, at::TensorOptions().dtype(at::kLong));
    }
    return t.to(spec.dtype);
  };
  size_t next = 0;
  for (const auto& spec : specs) {
    size_t index = 0;
    if (!spec.name.empty()) {
      auto it = std::find(names.begin(), names.end(), spec.name);
      if (it == names.end()) {
        const auto close = closestMatch(spec.name, names);
        throw UsageError(fmt::format("--shape '{}' names argument '{}' but {} takes {}{}", spec.text, spec.name,
                                     method, fmt::join(names, ", "),
                                     close ? fmt::format("; did you mean '{}'?", *close) : ""));
      }
      index = static_cast<size_t>(it - names.begin());
    } else {
      while (next < slots.size() && slots[next]) ++next;
      if (next == slots.size()) {
        throw UsageError(fmt::format("--shape '{}' is one input too many: {} takes {} ({})", spec.text, method,
                                     names.size(), fmt::join(names, ", ")));
      }
      index = next;
    }
    if (slots[index]) {
      throw UsageError(fmt::format("--shape '{}' gives argument '{}' a second time", spec.text, names[index]));
    }
    slots[index] = make(spec);
  }
  std::vector<IValue> args;
  size_t given = 0;
  for (size_t i = 0; i < slots.size(); ++i) {
    if (slots[i]) {
      args.push_back(*slots[i]);
      given = i + 1;
    } else if (schema.arguments()[i + 1].default_value()) {
      args.push_back(*schema.arguments()[i + 1].default_value());
    } else {
      throw UsageError(fmt::format("no --shape for argument '{}' ({}) of {}; give one per argument ({})",
                                   names[i], i, method, fmt::join(names, ", ")));
    }
  }
  checkInputs(args, module, method, label);
  return {label, std::move(args), given};
}

}  // namespace jitscope
