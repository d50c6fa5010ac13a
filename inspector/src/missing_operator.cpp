#include "jitscope/inspector/missing_operator.h"

#include <dlfcn.h>
#include <glob.h>

#include <c10/core/CPUAllocator.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "jitscope/core/operator_library.h"
#include "jitscope/inspector/requirements.h"

namespace jitscope {

namespace {

// Where the packages people use install the library that registers each
// namespace: beside the torch package whose LibTorch this process runs on (a
// pip wheel's site-packages/torch/lib), Debian's python3-* packages, then
// other pip locations. `patterns` are relative to site-packages.
struct KnownLibrary {
  const char* ns;
  const char* package;
  const char* in_site_packages;
  bool wheel_needs_python;  ///< the pip wheel's library is a Python extension (links libtorch_python)
  std::vector<const char*> patterns;
};

// site-packages/ of the torch wheel this LibTorch came from ("" for a
// system LibTorch such as Debian's /usr/lib/x86_64-linux-gnu/libtorch_cpu.so).
std::string torchSitePackages() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&c10::GetCPUAllocator), &info) == 0 || info.dli_fname == nullptr) return "";
  const std::string library = info.dli_fname;  // .../site-packages/torch/lib/libc10.so
  const std::string marker = "/torch/lib/";
  const size_t at = library.rfind(marker);
  return at == std::string::npos ? "" : library.substr(0, at);
}

const std::vector<KnownLibrary>& knownLibraries() {
  static const std::vector<KnownLibrary> table = {
      {"torchvision", "torchvision", "/torchvision/_C*.so", true,
       {"/usr/lib/python3/dist-packages/torchvision/_C*.so",
        "/usr/local/lib/python3*/dist-packages/torchvision/_C*.so",
        "/usr/local/lib/python3*/site-packages/torchvision/_C*.so"}},
      {"torchaudio", "torchaudio", "/torchaudio/lib/libtorchaudio.so", false,
       {"/usr/lib/python3/dist-packages/torchaudio/lib/libtorchaudio.so",
        "/usr/local/lib/python3*/dist-packages/torchaudio/lib/libtorchaudio.so",
        "/usr/local/lib/python3*/site-packages/torchaudio/lib/libtorchaudio.so"}},
  };
  return table;
}

std::optional<std::string> firstMatch(const char* pattern) {
  glob_t found{};
  std::optional<std::string> path;
  if (::glob(pattern, 0, nullptr, &found) == 0 && found.gl_pathc > 0) path = found.gl_pathv[0];
  ::globfree(&found);
  return path;
}

// The operators of `ns` that the archive's TorchScript code calls, sorted;
// empty when the code cannot be read (the advice still names the namespace).
std::set<std::string> operatorsCalled(const std::string& archive_path, const std::string& ns) {
  std::set<std::string> names;
  try {
    for (const auto& [op, count] : readRequirements(archive_path).operatorCounts()) {
      if (op.rfind(ns + "::", 0) == 0) names.insert(op);
    }
  } catch (const std::exception&) {
    names.clear();
  }
  return names;
}

}  // namespace

std::optional<std::string> missingOperatorAdvice(const std::string& loader_message,
                                                  const std::string& archive_path) {
  static const std::regex unknown("Unknown builtin op: ([A-Za-z_][A-Za-z0-9_]*)::([A-Za-z0-9_]+(?:\\.[A-Za-z_][A-Za-z0-9_]*)?)");
  std::smatch match;
  if (!std::regex_search(loader_message, match, unknown)) return std::nullopt;
  const std::string ns = match[1].str();
  if (ns == "aten" || ns == "prim") return std::nullopt;  // a LibTorch version question, not a library

  std::set<std::string> called = operatorsCalled(archive_path, ns);
  called.insert(ns + "::" + match[2].str());
  std::string advice = fmt::format("the model calls operators of the '{}' namespace ({}), which no {}library registers",
                                   ns, fmt::join(called, ", "),
                                   loadedOperatorLibraries().empty() ? "" : "loaded ");
  return advice + "; " + operatorLibraryFix(ns);
}

std::string operatorLibraryFix(const std::string& ns) {
  for (const auto& known : knownLibraries()) {
    if (ns != known.ns) continue;
    const std::string site_packages = torchSitePackages();
    if (!site_packages.empty()) {
      if (auto path = firstMatch((site_packages + known.in_site_packages).c_str())) {
        if (!known.wheel_needs_python) {
          return fmt::format("add --load-library {} ({}'s operator library)", *path, known.package);
        }
        return fmt::format("add --load-library with {}'s C++ operator library (the pip wheel's {} "
                           "needs Python; build {}'s CMake project for a libtorch-only one)",
                           known.package, *path, known.package);
      }
    }
    for (const char* pattern : known.patterns) {
      if (auto path = firstMatch(pattern)) {
        return fmt::format("add --load-library {} ({}'s operator library)", *path, known.package);
      }
    }
    return fmt::format("add --load-library with {}'s operator library (Debian: python3-{} installs it under "
                       "/usr/lib/python3/dist-packages/{}/)", known.package, known.package, known.package);
  }
  return "add --load-library with the shared library that registers them (the one the "
         "exporting code loaded with torch.ops.load_library)";
}

}  // namespace jitscope
