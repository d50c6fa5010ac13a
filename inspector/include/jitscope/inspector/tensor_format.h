// Names of tensor properties as Python users write them.
#pragma once

#include <c10/core/ScalarType.h>

#include <optional>
#include <string>

namespace jitscope {

/// "float32", "int64", "bfloat16": torch's Python dtype names, which users
/// know, rather than c10's "Float", "Long".
std::string dtypeName(c10::ScalarType type);

/// The inverse of dtypeName, also accepting "float", "double", "half",
/// "long", "int"; nullopt for an unknown name.
std::optional<c10::ScalarType> parseDtypeName(const std::string& name);

}  // namespace jitscope
