// See check_request.h.
#include "jitscope/validators/check_request.h"

#include <fmt/format.h>

namespace jitscope {

std::optional<CheckRequestProblem> checkRequestProblem(const CheckRequestShape& request) {
  if (request.devices == 0 || request.devices > 2) return CheckRequestProblem::kDeviceCount;
  if (request.expected && request.against) return CheckRequestProblem::kExpectedAndAgainst;
  if (request.expected && request.devices == 2) return CheckRequestProblem::kExpectedOnTwoDevices;
  if (!request.expected && !request.against && request.devices == 1) return CheckRequestProblem::kNothingToCompare;
  if (request.localize && request.expected) return CheckRequestProblem::kLocalizeWithExpected;
  if (!request.inputs) return CheckRequestProblem::kNoInputs;
  return std::nullopt;
}

CheckRequestError::CheckRequestError(CheckRequestProblem problem)
    : UsageError(fmt::format("the output check's request is inconsistent (problem {})", static_cast<int>(problem))),
      problem_(problem) {}

}  // namespace jitscope
