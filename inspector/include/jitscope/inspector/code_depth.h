#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace jitscope {

// LibTorch's TorchScript compiler recurses once per bracket level and once
// per operator of a chain (`a + b + c ...` is a left-deep tree), so a code
// record with a few hundred thousand of either runs it out of stack.
// Printed TorchScript stays far below these bounds (PythonPrint gives every
// intermediate its own name); a record beyond them is refused before the
// compiler sees it.
constexpr size_t kMaxCodeNesting = 1000;
constexpr size_t kMaxCodeChain = 1000;
// `a % b % c ...`: LibTorch 1.13's compiler emits the left operand of `%`
// twice (once to see whether it is a format string), so compiling a chain
// of n takes time and memory exponential in n (16: 2.6 s, 20: 57 s, 32:
// over 2 minutes and 6 GiB, found by fuzz_compiler). PythonPrint writes
// `torch.remainder(a, b)`, never an infix `%`.
constexpr size_t kMaxModuloChain = 10;
// `[a, b, c, ...]`, a tuple or dict of as many, a call with as many
// arguments: each is one node with one input per item, and LibTorch 1.13
// removes a node's inputs one at a time from the front (Node::removeAllInputs,
// when dead code elimination drops it), so the time grows as the square of
// the count: 128,000 items 1.7 s, 256,000 items 7 s; fuzz_compiler's 1 MB
// archive with two lists of 132,000 ran over 60 s under ASan, 8 s released.
// PythonPrint does write a literal list inline (a scripted 20,000-entry
// table is one line), so the bound is on the record's total: the sum over
// its brackets of their item counts squared may not pass that of one
// bracket of kMaxBracketItems (about a second of compile time).
constexpr size_t kMaxBracketItems = 100000;

// Why `code` is too deep for the compiler ("brackets nested 5000 deep at
// line 3"), or nullopt when it is within the bounds. A token-level scan:
// strings and comments are skipped, nothing is parsed.
std::optional<std::string> findExcessiveDepth(std::string_view code,
                                              size_t max_nesting = kMaxCodeNesting,
                                              size_t max_chain = kMaxCodeChain);

}  // namespace jitscope
