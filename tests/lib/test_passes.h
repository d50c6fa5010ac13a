// Passes that exist only in test builds (STYLE.md §1, as mlir-opt's
// MLIR_INCLUDE_TESTS): they break things on purpose, to prove that
// --verify and --bisect notice.
#pragma once

namespace jitscope::testing {

/// Registers "test_shift_output": adds 1 to forward's tensor output, an
/// honest output change for --bisect to find. Safe to call more than once.
void registerTestPasses();

}  // namespace jitscope::testing
