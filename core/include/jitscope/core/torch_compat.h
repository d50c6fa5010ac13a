// The one place that knows which LibTorch we build against. Debian bookworm
// ships LibTorch 1.13 (CPU); the GPU machine uses the 2.x LibTorch inside the
// torch wheel. Code elsewhere uses these names instead of #if on versions.
#pragma once

#include <torch/csrc/api/include/torch/version.h>

#define JITSCOPE_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||           \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

#include <string>

namespace jitscope::compat {

/// "1.13.0", "2.11.0": the LibTorch this binary was built with.
inline std::string torchVersion() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." +
         std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

}  // namespace jitscope::compat
