// The code-record depth bound of the archive gate: what LibTorch's compiler
// would recurse on past its stack is refused; printed TorchScript passes.
#include "jitscope/inspector/code_depth.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "fixtures.h"

namespace jitscope {
namespace {

using testing::repeat;

TEST(CodeDepth, PrintedTorchScriptPasses) {
  const std::string code =
      "def forward(self, x: Tensor) -> Tensor:\n"
      "  _0 = torch.add(torch.relu(self.linear(x)), 1.5, alpha=1)\n"
      "  return torch.cat([_0, (x + 1) * 2], -1)  # a (comment ((\n";
  EXPECT_EQ(findExcessiveDepth(code), std::nullopt);
}

TEST(CodeDepth, DeepNestingIsRefusedWithItsLine) {
  const std::string code = "def f(x):\n  return " + std::string(5000, '(') + "x" + std::string(5000, ')') + "\n";
  const auto why = findExcessiveDepth(code);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("nested more than 1000 deep at line 2"), std::string::npos) << *why;
}

TEST(CodeDepth, LongChainIsRefused) {
  std::string code = "def f(x):\n  return x";
  for (int i = 0; i < 2000; ++i) code += " + x";
  const auto why = findExcessiveDepth(code);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("chains more than 1000 operators"), std::string::npos) << *why;
}

TEST(CodeDepth, ChainsAreCountedPerStatementNotPerRecord) {
  std::string code;
  for (int i = 0; i < 2000; ++i) code += "  y = x + 1\n";
  EXPECT_EQ(findExcessiveDepth(code), std::nullopt);
}

TEST(CodeDepth, BracketsInsideStringsAreIgnored) {
  const std::string code = "s = \"" + std::string(5000, '(') + "\"\n";
  EXPECT_EQ(findExcessiveDepth(code), std::nullopt);
}

// Each form below ended `jitscope info` with SIGSEGV (LibTorch's parser or
// compiler out of stack) before it was bounded (issue 18); 3000 is enough
// to cross the bound, the crash needed about 200,000 (10,000 block levels).
TEST(CodeDepth, EveryRecursionTheCompilerHasIsBounded) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"  _0 = " + repeat("-", 3000) + "x\n", "chains more than 1000"},        // unary run, no spaces
      {"  _0 = " + repeat("~", 3000) + "x\n", "chains more than 1000"},
      {"  _0 = x" + repeat(" == x", 3000) + "\n", "chains more than 1000"},   // comparisons
      {"  _0 = x" + repeat(" != x", 3000) + "\n", "chains more than 1000"},
      {"  _0 = x" + repeat(" is x", 3000) + "\n", "chains more than 1000"},
      {"  _0 = x" + repeat(" in x", 3000) + "\n", "chains more than 1000"},
      {"  _0 = x" + repeat("[0]", 3000) + "\n", "chains more than 1000"},     // subscripts
      {"  _0 = x" + repeat("()", 3000) + "\n", "chains more than 1000"},      // calls
      {"  _0 = x" + repeat(" + \\\n    x", 3000) + "\n", "chains more than 1000 operators at line"},
      {"  if x:\n    pass\n" + repeat("  elif x:\n    pass\n", 3000), "more than 1000 elif branches at line 2004"},
  };
  for (const auto& [code, why] : cases) {
    const auto found = findExcessiveDepth("def f(x):\n" + code);
    ASSERT_TRUE(found) << code.substr(0, 40);
    EXPECT_NE(found->find(why), std::string::npos) << *found;
  }
  std::string blocks;
  for (size_t i = 0; i < 1500; ++i) blocks += std::string(i + 1, ' ') + "if x:\n";
  const auto found = findExcessiveDepth(blocks + std::string(1502, ' ') + "pass\n");
  ASSERT_TRUE(found);
  EXPECT_NE(found->find("blocks nested more than 1000 deep at line 1001"), std::string::npos) << *found;
}

TEST(CodeDepth, ModuloChainsAreBoundedFarLower) {
  // 32 of them: 2 minutes and 6 GiB in LibTorch's compiler (fuzz_compiler).
  const auto found = findExcessiveDepth("def f(x):\n  for _i in range(10" + repeat(" % 10", 32) + "):\n    pass\n");
  ASSERT_TRUE(found);
  EXPECT_NE(found->find("more than 10 '%' operators at line 2"), std::string::npos) << *found;
  EXPECT_EQ(findExcessiveDepth("def f(x):\n  y = 10" + repeat(" % 10", 10) + "\n  z = 10" + repeat(" % 10", 10) + "\n"),
            std::nullopt);
}

TEST(CodeDepth, BracketItemsAreBoundedByTheirSquares) {
  // fuzz_compiler: two lists of 132,000 items in 1 MB took 8 s to load, and
  // the time grows as the square of one bracket's items (Node::removeAllInputs).
  const auto list = findExcessiveDepth("def f(x):\n  if [10" + repeat(", 10", 132000) + "]:\n    pass\n");
  ASSERT_TRUE(list);
  EXPECT_NE(list->find("brackets hold too many items by line 2"), std::string::npos) << *list;
  EXPECT_TRUE(findExcessiveDepth("  y = torch.add(x" + repeat(", x", 100000) + ")\n"));
  EXPECT_TRUE(findExcessiveDepth("  y = {1: 2" + repeat(", 1: 2", 100000) + "}\n"));
  // The record's total counts: ten lists of 40,000 cost more than one of
  // 100,000; twenty of 20,000 (a scripted lookup table is printed inline) do not.
  auto lists = [](size_t count, size_t items) {
    std::string code;
    for (size_t i = 0; i < count; ++i) code += "  y = [1" + repeat(", 1", items - 1) + "]\n";
    return code;
  };
  const auto ten = findExcessiveDepth(lists(10, 40000));
  ASSERT_TRUE(ten);
  EXPECT_NE(ten->find("by line 7"), std::string::npos) << *ten;
  EXPECT_EQ(findExcessiveDepth(lists(20, 20000)), std::nullopt);
  EXPECT_EQ(findExcessiveDepth(lists(1, 100000)), std::nullopt);
  // Nested brackets count apart; commas in strings do not count.
  const std::string wide = "[" + repeat("1, ", 69999) + "1]";
  EXPECT_EQ(findExcessiveDepth("  y = (" + wide + ", " + wide + ")\n"), std::nullopt);
  EXPECT_EQ(findExcessiveDepth("  y = [\"" + repeat(",", 200000) + "\"]\n"), std::nullopt);
}

TEST(CodeDepth, ElifCountsRestartWithEachIfAndBlocksCloseWithTheirIndent) {
  // 600 elifs in each of two ifs; blocks 600 deep, closed, then 600 again.
  std::string code = "def f(x):\n";
  for (int k = 0; k < 2; ++k) code += "  if x:\n    pass\n" + repeat("  elif x:\n    pass\n", 600) + "  y = 1\n";
  for (int k = 0; k < 2; ++k) {
    for (size_t i = 0; i < 600; ++i) code += std::string(i + 2, ' ') + "if x:\n";
    code += std::string(603, ' ') + "pass\n";
  }
  EXPECT_EQ(findExcessiveDepth(code), std::nullopt);
}

}  // namespace
}  // namespace jitscope
