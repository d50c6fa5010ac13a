// libFuzzer target: the archive gate (zip directory reader, record checks,
// pickle scan) on arbitrary file contents. Every input must end in a
// returned ArchiveInfo or an InputError; anything else (a crash, a
// sanitizer report, another exception) is a bug. Built by scripts/fuzz.sh.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include "jitscope/core/errors.h"
#include "jitscope/inspector/archive.h"

namespace {

// inspectArchive reads a path; one file per process, rewritten per input.
const std::string& scratchPath() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir ? dir : "/tmp") + "/jitscope-fuzz-" + std::to_string(getpid()) + ".pt";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = scratchPath();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  try {
    const jitscope::ArchiveInfo info = jitscope::inspectArchive(path);
    if (info.format_version < info.min_supported_version) std::abort();
  } catch (const jitscope::InputError& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();  // one line, always
  }
  return 0;
}
