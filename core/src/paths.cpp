#include "jitscope/core/paths.h"

#include <cstdlib>

namespace jitscope {

std::string canonicalPath(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  std::string result = real ? real : path;
  std::free(real);
  return result;
}

}  // namespace jitscope
