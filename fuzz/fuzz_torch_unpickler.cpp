// libFuzzer target: LibTorch's own Unpickler (torch::jit::unpickle, the
// restricted unpickler torch::jit::load uses) on arbitrary bytes, with no
// type resolver. A c10::Error is a clean refusal; a crash here is a LibTorch
// bug, which is why jitscope scans pickles itself first and can isolate the
// load (docs/security.md). Built by scripts/fuzz.sh.
#include <torch/csrc/jit/serialization/pickle.h>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    torch::jit::unpickle(reinterpret_cast<const char*>(data), size);
  } catch (const c10::Error&) {
  } catch (const std::exception&) {
    // Other exceptions (std::out_of_range from a malformed stack) are still
    // clean failures from the caller's point of view.
  }
  return 0;
}
