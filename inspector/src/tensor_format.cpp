#include "jitscope/inspector/tensor_format.h"

#include <map>

namespace jitscope {

std::string dtypeName(c10::ScalarType type) {
  switch (type) {
    case c10::ScalarType::Float: return "float32";
    case c10::ScalarType::Double: return "float64";
    case c10::ScalarType::Half: return "float16";
    case c10::ScalarType::BFloat16: return "bfloat16";
    case c10::ScalarType::Long: return "int64";
    case c10::ScalarType::Int: return "int32";
    case c10::ScalarType::Short: return "int16";
    case c10::ScalarType::Char: return "int8";
    case c10::ScalarType::Byte: return "uint8";
    case c10::ScalarType::Bool: return "bool";
    case c10::ScalarType::ComplexFloat: return "complex64";
    case c10::ScalarType::ComplexDouble: return "complex128";
    case c10::ScalarType::ComplexHalf: return "complex32";
    case c10::ScalarType::QInt8: return "qint8";
    case c10::ScalarType::QUInt8: return "quint8";
    case c10::ScalarType::QInt32: return "qint32";
    default: return c10::toString(type);
  }
}

std::optional<c10::ScalarType> parseDtypeName(const std::string& name) {
  static const std::map<std::string, c10::ScalarType> names = {
      {"float32", c10::ScalarType::Float},  {"float", c10::ScalarType::Float},
      {"float64", c10::ScalarType::Double}, {"double", c10::ScalarType::Double},
      {"float16", c10::ScalarType::Half},   {"half", c10::ScalarType::Half},
      {"bfloat16", c10::ScalarType::BFloat16},
      {"int64", c10::ScalarType::Long},     {"long", c10::ScalarType::Long},
      {"int32", c10::ScalarType::Int},      {"int", c10::ScalarType::Int},
      {"int16", c10::ScalarType::Short},    {"int8", c10::ScalarType::Char},
      {"uint8", c10::ScalarType::Byte},     {"bool", c10::ScalarType::Bool}};
  auto it = names.find(name);
  if (it == names.end()) return std::nullopt;
  return it->second;
}

}  // namespace jitscope
