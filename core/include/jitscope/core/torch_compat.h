// The one place that knows which LibTorch we build against. Debian bookworm
// ships LibTorch 1.13 (CPU); the GPU machine uses the 2.x LibTorch inside the
// torch wheel. Code elsewhere uses these names instead of #if on versions.
#pragma once

#include <torch/csrc/api/include/torch/version.h>

#define JITSCOPE_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||           \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))

#include <c10/util/Exception.h>

#include <string>

namespace jitscope::compat {

/// A c10 warning handler with one signature on both versions: LibTorch 2.x
/// passes a c10::Warning, 1.13 its location, message and verbatim flag.
class WarningHandler : public c10::WarningHandler {
 public:
  virtual void handle(const std::string& message) = 0;
#if JITSCOPE_TORCH_AT_LEAST(2, 0)
  void process(const c10::Warning& warning) override { handle(warning.msg()); }
#else
  void process(const c10::SourceLocation&, const std::string& message, const bool) override { handle(message); }
#endif
};

/// c10's global warning handler: c10::WarningUtils on 2.x (where Warning is
/// a class), the c10::Warning namespace on 1.13.
inline void setWarningHandler(c10::WarningHandler* handler) {
#if JITSCOPE_TORCH_AT_LEAST(2, 0)
  c10::WarningUtils::set_warning_handler(handler);
#else
  c10::Warning::set_warning_handler(handler);
#endif
}

/// "1.13.0", "2.11.0": the LibTorch this binary was built with.
inline std::string torchVersion() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." +
         std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

}  // namespace jitscope::compat
