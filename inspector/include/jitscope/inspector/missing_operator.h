#pragma once
// Turns LibTorch's "Unknown builtin op: ns::name" into advice: which
// operator namespace no loaded library registers, which of its operators the
// model calls, and the --load-library that provides them.
#include <optional>
#include <string>

namespace jitscope {

/// For a load failure whose `loader_message` names an unknown operator of a
/// namespace other than aten/prim, the sentence to append to the error; the
/// operators are read from the archive's code records at `archive_path`.
std::optional<std::string> missingOperatorAdvice(const std::string& loader_message,
                                                  const std::string& archive_path);

/// How to provide the operators of namespace `ns` (not aten/prim): the
/// --load-library to add, with the path of the library where one is
/// installed here ("add --load-library /usr/lib/.../torchvision/_C...so
/// (torchvision's operator library)").
std::string operatorLibraryFix(const std::string& ns);

}  // namespace jitscope
