// What can be wrong with an output check's request before anything is
// loaded, as data: the problem, not a message. crossCheck throws it as a
// CheckRequestError; each front end words it in its own terms: `jitscope
// check`/`report` in flags (cli/error_wording.cpp), `jitscope ci` in the TOML
// keys of [model.check] (cli/ci_config.cpp). No LibTorch here, so the TOML
// reader includes it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "jitscope/core/errors.h"

namespace jitscope {

/// The shape of a request: which sides and how many devices.
struct CheckRequestShape {
  bool against = false;   ///< another export is the expected side
  bool expected = false;  ///< saved outputs are the expected side
  size_t devices = 1;
  bool localize = false;
  bool inputs = false;    ///< input files or shapes given
};

enum class CheckRequestProblem {
  kDeviceCount,          ///< not one device or two
  kExpectedAndAgainst,   ///< both name the expected side
  kExpectedOnTwoDevices, ///< saved outputs, yet two devices
  kNothingToCompare,     ///< no expected side at all
  kLocalizeWithExpected, ///< localize runs both sides, saved outputs are one
  kNoInputs,
};

/// The first problem of `request`, in the order crossCheck checks them;
/// nullopt when it can run.
std::optional<CheckRequestProblem> checkRequestProblem(const CheckRequestShape& request);

/// A request with `problem`: a UsageError (exit 2 on the command line) whose
/// what() only names the problem's kind; the front ends word it.
class CheckRequestError : public UsageError {
 public:
  explicit CheckRequestError(CheckRequestProblem problem);
  CheckRequestProblem problem() const { return problem_; }

 private:
  CheckRequestProblem problem_;
};

}  // namespace jitscope
