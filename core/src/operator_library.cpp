#include "jitscope/core/operator_library.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <string>
#include <vector>

#include "jitscope/core/errors.h"

namespace jitscope {

namespace {
std::vector<std::string>& loaded() {
  static std::vector<std::string> libraries;
  return libraries;
}
}  // namespace

void loadOperatorLibrary(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    throw InputError(path, "cannot load operator library: no such file (check the --load-library path)");
  }
  if (!S_ISREG(info.st_mode)) {
    throw InputError(path, "cannot load operator library: not a regular file");
  }
  // A path without a slash would make dlopen search LD_LIBRARY_PATH and the
  // system folders; the user named a file, so load that file.
  const std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  if (::dlopen(file.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
    const char* reason = ::dlerror();
    const std::string problem = reason != nullptr ? lastLine(reason) : "unknown loader error";
    // An undefined symbol is the usual sign of a library built against
    // another LibTorch (or needing Python's).
    std::string fix;
    if (problem.find("libtorch_python") != std::string::npos || problem.find("undefined symbol: Py") != std::string::npos) {
      // A pip wheel's torchvision/_C.so is a Python extension module.
      fix = " (this is a Python extension module; load a C++ build of the operators instead, e.g. the "
            "libtorchvision.so that torchvision's CMake project builds, or Debian's python3-torchvision _C.so)";
    } else if (problem.find("undefined symbol") != std::string::npos) {
      fix = " (build it against the LibTorch jitscope uses)";
    }
    throw InputError(path, "cannot load operator library: " + problem + fix);
  }
  loaded().push_back(path);
}

const std::vector<std::string>& loadedOperatorLibraries() { return loaded(); }

}  // namespace jitscope
