// What a TorchScript archive needs from the LibTorch that loads it, read
// from the archive alone: its code records are parsed with LibTorch's own
// TorchScript parser but never compiled, so this works when operators are
// missing here and on files this LibTorch cannot load.
//
// PythonPrint writes every call of an operator as `torch.NAME(...)` (the
// aten namespace) or `ops.NS.NAME(...)` (python_print.cpp, printOpName), and
// leaves out trailing arguments that equal their schema default
// (CalculateNecessaryArgs, pytorch#56079): what a call site passes is what a
// target's schema must accept. The overload is not in the text (the compiler
// picks it by argument types when it loads the file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "jitscope/inspector/archive.h"
#include "jitscope/inspector/mobile_bytecode.h"

namespace jitscope {

/// A place in the archive's TorchScript code.
struct CodeLocation {
  std::string record;  ///< "code/__torch__/torchvision/ops/boxes.py"
  size_t line = 0;     ///< 1-based
  size_t column = 0;   ///< 1-based
  size_t offset = 0;   ///< byte offset of the call in the record
  size_t end = 0;      ///< one past its last byte
  std::string str() const;  ///< "code/__torch__/m.py:12:5"
};

/// One call of an operator in the code.
struct OperatorCall {
  std::string op;                     ///< "aten::add", "torchvision::nms"
  size_t positional = 0;              ///< arguments passed by position
  std::vector<std::string> keywords;  ///< names of arguments passed by keyword, in call order
  CodeLocation location;
  /// How the call passes its arguments: "2", "1 + dim, keepdim".
  std::string signature() const;
};

/// A TorchBind class (`__torch__.torch.classes.NS.NAME`): registered in C++
/// by a library (quantized packed weights, a user's custom class).
struct CustomClassUse {
  std::string name;  ///< "quantized.Conv2dPackedParamsBase"
  CodeLocation location;
};

/// A device or dtype fixed in the archive: a literal in the code
/// (`torch.device("cuda:0")`, `dtype=6`), a tensor constant's storage, or
/// (devices only) the GPU that parameters were saved from.
struct ConstantUse {
  std::string value;  ///< "cuda:0", "Float"
  /// Where: a code location, or "constants.pkl" for a tensor constant.
  std::string where;
  std::optional<CodeLocation> location;  ///< set for code literals
  /// A parameter or buffer's storage (data.pkl), which module.to() moves,
  /// unlike a tensor constant.
  bool parameter = false;
};

struct ModelRequirements {
  std::string path;
  uint64_t format_version = 0;
  /// Who wrote the archive, as far as its records tell: "PyTorch >= 2.0"
  /// (a byteorder or serialization-id record), else "PyTorch < 2.0".
  std::string producer;
  std::vector<OperatorCall> calls;  ///< in record order
  std::vector<CustomClassUse> classes;
  std::vector<ConstantUse> devices;
  std::vector<ConstantUse> dtypes;
  /// The lite-interpreter tables (bytecode.pkl), when the archive has them.
  std::optional<MobileBytecode> bytecode;

  /// Each operator called and how many call sites call it.
  std::map<std::string, size_t> operatorCounts() const;
  /// Namespaces of the operators called ("aten", "prim", "torchvision").
  std::set<std::string> namespaces() const;
  /// Distinct values, sorted.
  std::set<std::string> customClassNames() const;
  std::set<std::string> deviceNames() const;
  std::set<std::string> dtypeNames() const;
};

/// Reads what `archive` needs (archive from inspectArchive, any format
/// version). Throws InputError naming the record when a code record does
/// not parse (LibTorch could not load it either).
ModelRequirements readRequirements(const ArchiveInfo& archive);

/// readRequirements(inspectArchive(path, FormatVersion::kAnyVersion)).
ModelRequirements readRequirements(const std::string& path);

}  // namespace jitscope
