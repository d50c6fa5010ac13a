// The code-record depth bound of the archive gate: what LibTorch's compiler
// would recurse on past its stack is refused; printed TorchScript passes.
#include "jitscope/inspector/code_depth.h"

#include <gtest/gtest.h>

#include <string>

namespace jitscope {
namespace {

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

}  // namespace
}  // namespace jitscope
