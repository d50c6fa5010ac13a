// How the user's Python spells the device of a call: the one piece of source
// reading behind trace-baked-device. Kept behind this small interface so that
// its implementation (a bracket-aware text scan today) can be swapped for a
// real parser without touching the check.
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

/// The text of the call that starts at `line` (1-based) of `file`: that line
/// and the following ones until its brackets balance (at most 20 lines).
std::string statementAt(const PythonSourceFile& file, size_t line);

}  // namespace jitscope
