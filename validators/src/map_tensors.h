// Rebuilding a value with every tensor inside it replaced: moving inputs to
// a device, cloning them before a model may write into them, applying a
// probe's variant. Private to the validators.
#pragma once

#include <ATen/core/ivalue.h>

#include <functional>
#include <utility>
#include <vector>

namespace jitscope {

/// `value` with `f` applied to every tensor in it, through tuples, lists
/// and dicts; anything else is returned as it is.
inline c10::IValue mapTensors(const c10::IValue& value, const std::function<at::Tensor(const at::Tensor&)>& f) {
  if (value.isTensor()) return f(value.toTensor());
  if (value.isTuple()) {
    std::vector<c10::IValue> items;
    for (const auto& item : value.toTupleRef().elements()) items.push_back(mapTensors(item, f));
    return c10::ivalue::Tuple::create(std::move(items));
  }
  if (value.isList()) {
    c10::impl::GenericList out(value.toList().elementType());
    for (const auto& item : value.toListRef()) out.push_back(mapTensors(item, f));
    return out;
  }
  if (value.isGenericDict()) {
    const auto dict = value.toGenericDict();
    c10::impl::GenericDict out(dict.keyType(), dict.valueType());
    for (const auto& entry : dict) out.insert(entry.key(), mapTensors(entry.value(), f));
    return out;
  }
  return value;
}

}  // namespace jitscope
