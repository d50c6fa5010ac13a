// How the user's Python spells the device of a call: the one piece of source
// reading behind trace-baked-device, done on the same tree-sitter syntax as
// the rest of the audit (python_syntax.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace jitscope {

class PythonSourceFile;

enum class DeviceSpelling {
  kLiteral,     ///< named outright: device="cpu", torch.device("cuda:0"), .cpu(), .cuda(), .to("cuda")
  kFromTensor,  ///< taken from a tensor: device=x.device, .to(x.device), device=self.weight.device
  kVariable,    ///< a name tracing cannot see through: device=dev, .to(target)
  kAbsent,      ///< no device named at all: torch.zeros(n), torch.ones_like(x)
  kUnknown,     ///< the source could not be read
};

struct DeviceSpellingResult {
  DeviceSpelling spelling = DeviceSpelling::kUnknown;
  std::string text;  ///< the expression that names the device ("x.device"); empty for kAbsent
};

/// Classifies the device spelled in `statement` (Python text). When one
/// statement spells several, a device taken from a tensor wins over a
/// variable, and that over a literal: the check errs towards reporting.
DeviceSpellingResult classifyDeviceSpelling(std::string_view statement);

/// The text of the statement at `line` (1-based) of `file`, all its lines.
std::string statementAt(const PythonSourceFile& file, size_t line);

}  // namespace jitscope
