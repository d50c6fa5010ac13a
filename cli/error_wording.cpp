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

int runWordingFailures(const std::string& command, const std::function<int()>& run, Diagnostics& diagnostics) {
  try {
    return run();
  } catch (const UsageError& e) {
    bool known = false;
    for (const auto& entry : commands()) known = known || command == entry.name;
    diagnostics.error(known ? fmt::format("{}; see 'jitscope {} --help'", e.what(), command)
                            : std::string(e.what()));
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
