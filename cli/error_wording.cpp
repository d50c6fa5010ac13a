// See error_wording.h.
#include "error_wording.h"

#include <new>
#include <stdexcept>

#include <fmt/format.h>

#include "command.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/core/isolation.h"

namespace jitscope::cli {
namespace {

struct Flag {
  const char* name;
  const char* placeholder;
};

// The one table of the command line's settings: each Setting's flag and
// the placeholder advice shows after it ("pass --source-root DIR"), if any.
Flag flagOf(Setting setting) {
  switch (setting) {
    case Setting::kDevice: return {"--device", ""};
    case Setting::kExpected: return {"--expected", ""};
    case Setting::kInputs: return {"--inputs", ""};
    case Setting::kSourceRoot: return {"--source-root", "DIR"};
    case Setting::kProbeBudget: return {"--probe-budget", ""};
    case Setting::kProbes: return {"--probe", "N"};
    case Setting::kIterations: return {"--iters", ""};
    case Setting::kFocus: return {"--focus", ""};
  }
  return {"--?", "?"};
}

void report(Diagnostics& diagnostics, const std::string& command, const std::string& message) {
  bool known = false;
  for (const auto& entry : commands()) known = known || command == entry.name;
  diagnostics.error(known ? fmt::format("{}; see 'jitscope {} --help'", message, command) : message);
}

}  // namespace

std::string flagName(Setting setting) { return flagOf(setting).name; }

std::string flagAdvice(Setting setting) {
  const Flag flag = flagOf(setting);
  return *flag.placeholder ? fmt::format("{} {}", flag.name, flag.placeholder) : std::string(flag.name);
}

std::string flagWording(const SettingError& error) { return error.worded(flagName(error.setting())); }

std::string flagWording(CheckRequestProblem problem) {
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

int runWordingFailures(const std::string& command, const std::function<int()>& run, Diagnostics& diagnostics) {
  try {
    return run();
  } catch (const SettingError& e) {
    report(diagnostics, command, flagWording(e));
    return toInt(ExitCode::kUsage);
  } catch (const CheckRequestError& e) {
    report(diagnostics, command, flagWording(e.problem()));
    return toInt(ExitCode::kUsage);
  } catch (const UsageError& e) {
    report(diagnostics, command, e.what());
    return toInt(ExitCode::kUsage);
  } catch (const InputError& e) {
    diagnostics.error(e.what());
    return toInt(ExitCode::kBadInput);
  } catch (const std::bad_alloc&) {
    diagnostics.error(outOfMemoryProblem());
    return toInt(ExitCode::kBadInput);
  } catch (const std::exception& e) {
    // LibTorch errors are translated at the inspector boundary; anything
    // reaching here is still about the model (exit 3), but say it plainly.
    const std::string& input = lastInput();
    diagnostics.error(input.empty()
                          ? fmt::format("unexpected failure: {}", firstLine(e.what()))
                          : fmt::format("'{}': unexpected failure: {}; if the file is damaged, re-export it, "
                                        "otherwise report it to jitscope with the file",
                                        input, firstLine(e.what())));
    return toInt(ExitCode::kBadInput);
  }
}

}  // namespace jitscope::cli
