#include "jitscope/core/paths.h"

#include <cstdio>
#include <cstdlib>

#include <ftw.h>
#include <sys/stat.h>

namespace jitscope {

std::string canonicalPath(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  std::string result = real ? real : path;
  std::free(real);
  return result;
}

}  // namespace jitscope

namespace jitscope {
namespace {

int removeEntry(const char* path, const struct stat*, int, struct FTW*) {
  ::remove(path);
  return 0;  // go on: remove what can be removed
}

}  // namespace

void removeTree(const std::string& path) {
  ::nftw(path.c_str(), removeEntry, 16, FTW_DEPTH | FTW_PHYS);
}

}  // namespace jitscope
