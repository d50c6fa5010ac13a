// Embeds validators/targets/*.json with the assembler's .incbin, so the
// binary carries its tables without a generated source file or an install
// step. JITSCOPE_TARGETS_DIR is the absolute folder, and bundled_targets.def
// lists the tables (both from validators/CMakeLists.txt, which also makes
// this file depend on them).
#include "bundled_targets.h"

#define JITSCOPE_EMBED(symbol, file)                                              \
  asm(".section .rodata\n"                                                         \
      ".balign 16\n"                                                               \
      ".globl " #symbol "_begin\n"                                                 \
      ".globl " #symbol "_end\n"                                                   \
      ".hidden " #symbol "_begin\n"                                                \
      ".hidden " #symbol "_end\n" #symbol "_begin:\n"                              \
      ".incbin \"" JITSCOPE_TARGETS_DIR "/" file "\"\n" #symbol "_end:\n"          \
      ".previous\n");                                                              \
  extern "C" __attribute__((visibility("hidden"))) const char symbol##_begin[]; \
  extern "C" __attribute__((visibility("hidden"))) const char symbol##_end[];

#define JITSCOPE_TARGET(id, name, file) JITSCOPE_EMBED(jitscope_target_##id, file)
#include "bundled_targets.def"
#undef JITSCOPE_TARGET

namespace jitscope::detail {

const std::vector<BundledTarget>& bundledTargets() {
  static const std::vector<BundledTarget> targets = {
#define JITSCOPE_TARGET(id, name, file)                                                \
  {name, {jitscope_target_##id##_begin,                                                \
          static_cast<size_t>(jitscope_target_##id##_end - jitscope_target_##id##_begin)}},
#include "bundled_targets.def"
#undef JITSCOPE_TARGET
  };
  return targets;
}

}  // namespace jitscope::detail
