// See check_request.h.
#include "jitscope/validators/check_request.h"

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

std::string checkRequestFlagWording(CheckRequestProblem problem) {
  switch (problem) {
    case CheckRequestProblem::kDeviceCount:
      return "--device takes one device or two (expected side, actual side), e.g. cpu,cuda";
    case CheckRequestProblem::kExpectedAndAgainst:
      return "--expected and --against both give the expected side; use one";
    case CheckRequestProblem::kExpectedOnTwoDevices:
      return "--expected compares with saved outputs; give one --device, not two";
    case CheckRequestProblem::kNothingToCompare:
      return "nothing to compare with: give --expected OUTPUTS.pt, --against OTHER.pt or --device cpu,cuda";
    case CheckRequestProblem::kLocalizeWithExpected:
      return "--localize runs both sides node by node, so it needs --against or --device cpu,cuda, "
             "not saved outputs";
    case CheckRequestProblem::kNoInputs:
      return "no inputs: give --inputs FILE.pt or --shape SIZES[:DTYPE] (see jitscope check --help)";
  }
  return "";
}

}  // namespace jitscope
