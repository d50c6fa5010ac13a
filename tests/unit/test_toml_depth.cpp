// The nesting bound checked on `jitscope ci` configs before toml++ parses
// them (issue 18: a 200,000-part dotted key ended `ci` with SIGSEGV).
#include "jitscope/core/toml_depth.h"

#include <gtest/gtest.h>

#include <string>

#include "fixtures.h"

namespace jitscope {
namespace {

using testing::repeat;

TEST(TomlNesting, AcceptsWhatConfigsContain) {
  const std::string config = R"(# jitscope.toml
jobs = 2
[defaults]
tolerance = { atol = 1.5e-5, rtol = 0.001 }
[[model]]
path = "models/a.b.c.pt"   # dots in strings and comments do not count: a.b.c.d
inputs.shape = "1x3x224x224"
when = 1979-05-27T07:32:00.999999
nested = [[1.5, 2.5], [3.5]]
'literal.key' = '''multi
line.with.dots'''
)";
  EXPECT_EQ(findExcessiveTomlNesting(config), std::nullopt);
  EXPECT_EQ(findExcessiveTomlNesting("[" + repeat("a.", 255) + "a]\n"), std::nullopt);
}

TEST(TomlNesting, RefusesDeepHeadersKeysAndValuesOnTheirLine) {
  const auto header = findExcessiveTomlNesting("x = 1\n[" + repeat("a.", 300) + "a]\n");
  ASSERT_TRUE(header);
  EXPECT_NE(header->find("line 2: tables nest more than 256 levels deep"), std::string::npos);
  EXPECT_TRUE(findExcessiveTomlNesting("[[" + repeat("a.", 300) + "a]]\n"));
  EXPECT_TRUE(findExcessiveTomlNesting(repeat("a.", 300) + "a = 1\n"));
  EXPECT_TRUE(findExcessiveTomlNesting("x = " + repeat("[", 300) + repeat("]", 300) + "\n"));
  // Each part under the bound, together over it.
  EXPECT_TRUE(findExcessiveTomlNesting("[" + repeat("a.", 100) + "a]\n" + repeat("b.", 100) + "b = " +
                                       repeat("{c.c = ", 40) + "1" + repeat("}", 40) + "\n"));
  EXPECT_EQ(findExcessiveTomlNesting("[" + repeat("a.", 100) + "a]\n" + repeat("b.", 100) + "b = 1\n"),
            std::nullopt);
}

}  // namespace
}  // namespace jitscope
