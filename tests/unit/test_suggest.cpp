#include "jitscope/core/suggest.h"

#include <gtest/gtest.h>

namespace jitscope {
namespace {

TEST(ClosestMatch, SuggestsTheNearestName) {
  const std::vector<std::string> names = {"info", "dump", "graph", "audit"};
  EXPECT_EQ(closestMatch("inf", names), "info");
  EXPECT_EQ(closestMatch("dupm", names), "dump");
  EXPECT_EQ(closestMatch("auditt", names), "audit");
}

TEST(ClosestMatch, StaysQuietWhenNothingIsClose) {
  const std::vector<std::string> names = {"info", "dump"};
  EXPECT_EQ(closestMatch("frobnicate", names), std::nullopt);
  EXPECT_EQ(closestMatch("x", {}), std::nullopt);
}

}  // namespace
}  // namespace jitscope
