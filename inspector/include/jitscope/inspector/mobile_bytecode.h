// The lite-interpreter part of an archive: `_save_for_lite_interpreter`
// (a `.ptl` file) adds bytecode.pkl beside the TorchScript code. The mobile
// loader (torch::jit::_load_for_mobile) never compiles the code; it reads
// each method's instructions and operator table from bytecode.pkl and looks
// every operator up by its exact name and overload, so that table, not the
// code, is what a lite-interpreter target must offer.
//
// bytecode.pkl is a tuple (version, method, method, ...); each method is
// (qualified name, ((key, value) ...), schema) with the keys
// "instructions", "operators", "constants", "types", "register_size"
// (torch/csrc/jit/mobile/parse_bytecode.cpp). An operator entry is
// (name, overload) and, from bytecode version 6 on, the number of
// arguments its call sites pass (pytorch#56845): the loader fills the rest
// from the target's schema defaults.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jitscope/inspector/archive.h"

namespace jitscope {

struct MobileOperator {
  std::string name;      ///< "aten::add"
  std::string overload;  ///< "Tensor"; "" for the unnamed overload
  /// Arguments its call sites pass (nullopt before bytecode version 6).
  std::optional<size_t> arguments;
  std::string method;    ///< the method whose table lists it: "__torch__.M.forward"
  /// "aten::add.Tensor", or "aten::relu" for the unnamed overload: the name
  /// the loader looks up and export_opnames lists.
  std::string fullName() const { return overload.empty() ? name : name + "." + overload; }
};

struct MobileBytecode {
  uint64_t version = 0;
  std::vector<std::string> methods;  ///< qualified names, in file order
  /// Every method's table, in file order; an operator two methods use is
  /// listed for each.
  std::vector<MobileOperator> operators;
};

/// Reads bytecode.pkl of `archive` (which passed inspectArchive: the record
/// is scanned by the gate); nullopt when the archive has none. Throws
/// InputError naming the record when it is not laid out as bytecode.
std::optional<MobileBytecode> readMobileBytecode(const ArchiveInfo& archive);

}  // namespace jitscope
