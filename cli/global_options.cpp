// See global_options.h.
#include "global_options.h"

#include <cstdlib>

#include <fmt/format.h>

#include "jitscope/core/errors.h"
#include "jitscope/core/isolation.h"

namespace jitscope::cli {
namespace {

ColorMode parseColor(const std::string& value) {
  if (value == "always") return ColorMode::kAlways;
  if (value == "never") return ColorMode::kNever;
  if (value == "auto") return ColorMode::kAuto;
  throw UsageError(fmt::format("unknown --color value '{}'; use auto, always or never", value));
}

// --load-library may stand before or after the command name (a user adds it
// to a command line they already have), so it is taken from anywhere before
// a `--`; every other global option comes before the command.
std::vector<std::string> takeLibraryOptions(std::vector<std::string>& args) {
  std::vector<std::string> libraries;
  const std::string flag = "--load-library";
  for (size_t i = 0; i < args.size();) {
    if (args[i] == "--") break;
    if (args[i] == flag) {
      if (i + 1 >= args.size()) throw UsageError("--load-library needs a path to a shared library");
      libraries.push_back(args[i + 1]);
      args.erase(args.begin() + i, args.begin() + i + 2);
    } else if (args[i].rfind(flag + "=", 0) == 0) {
      libraries.push_back(args[i].substr(flag.size() + 1));
      args.erase(args.begin() + i);
    } else {
      ++i;
    }
  }
  return libraries;
}

}  // namespace

GlobalOptions parseGlobalOptions(std::vector<std::string>& args) {
  GlobalOptions options;
  options.libraries = takeLibraryOptions(args);
  auto value = [&](const std::string& flag, const std::string& name) {
    if (flag.size() > name.size()) return flag.substr(name.size() + 1);  // --name=value
    if (args.empty()) throw UsageError(fmt::format("{} needs a value", name));
    std::string v = args.front();
    args.erase(args.begin());
    return v;
  };
  auto is = [](const std::string& flag, const std::string& name) {
    return flag == name || flag.rfind(name + "=", 0) == 0;
  };
  while (!args.empty() && args.front().rfind("--", 0) == 0) {
    const std::string flag = args.front();
    if (is(flag, "--color")) {
      args.erase(args.begin());
      options.color = parseColor(value(flag, "--color"));
    } else if (flag == "--isolate") {
      args.erase(args.begin());
      options.isolate = true;
    } else if (is(flag, "--timeout")) {
      args.erase(args.begin());
      const std::string text = value(flag, "--timeout");
      char* end = nullptr;
      const double seconds = std::strtod(text.c_str(), &end);
      if (end == text.c_str() || *end != '\0' || !(seconds > 0)) {
        throw UsageError(fmt::format("--timeout '{}' is not a number of seconds", text));
      }
      options.limits.timeout_seconds = seconds;
      options.isolate = true;
    } else if (is(flag, "--max-memory")) {
      args.erase(args.begin());
      options.limits.max_memory_bytes = parseSize(value(flag, "--max-memory"), "--max-memory");
      options.isolate = true;
    } else if (is(flag, "--test-only-fault")) {
      // TEST ONLY, not in --help: makes the isolated child crash, hang or
      // exhaust memory so tests/golden/isolation.test can check the parent.
      args.erase(args.begin());
      setTestOnlyFault(value(flag, "--test-only-fault"));
      options.isolate = true;
    } else {
      break;
    }
  }
  return options;
}


}  // namespace jitscope::cli
