// libFuzzer target: jitscope's pickle scan (inspector/src/pickle_scan.cpp).
// Every input must be accepted or refused with PickleRejected; a refusal is
// one line. Built by scripts/fuzz.sh.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "jitscope/inspector/pickle_scan.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto summary =
        jitscope::scanPickle(std::string_view(reinterpret_cast<const char*>(data), size));
    for (const auto& tensor : summary.tensors) {
      if (tensor.storage >= summary.storages.size()) std::abort();
    }
  } catch (const jitscope::PickleRejected& e) {
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();
  }
  return 0;
}
