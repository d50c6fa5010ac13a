// fuzz/FuzzedDataProvider.h, the stand-in for libFuzzer's header that the
// gcc fuzz build uses (scripts/gpu/fuzz-sanitized.sh): it must read bytes as
// LLVM's does, or a crash saved by one build replays as other code in the
// other. The expected values were printed by the same calls on LLVM 14's
// <fuzzer/FuzzedDataProvider.h>.
#include "../../fuzz/FuzzedDataProvider.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

TEST(FuzzedDataProvider, ReadsBytesAsLibFuzzersDoes) {
  uint8_t data[40];
  for (int i = 0; i < 40; ++i) data[i] = static_cast<uint8_t>(i * 37 + 11);
  FuzzedDataProvider in(data, sizeof data);
  EXPECT_EQ(in.ConsumeIntegralInRange<int>(0, 5), 0);
  EXPECT_EQ(in.ConsumeIntegralInRange<unsigned>(0u, 18u), 4u);
  EXPECT_EQ(in.ConsumeIntegralInRange<size_t>(0, 1000000), 569748u);
  EXPECT_EQ(in.ConsumeIntegral<int32_t>(), 1976609670);
  EXPECT_TRUE(in.ConsumeBool());
  EXPECT_EQ(in.ConsumeIntegralInRange<int>(-10, 10), 8);
  EXPECT_EQ(in.ConsumeIntegral<int64_t>(), INT64_C(-7497704305976264428));
  EXPECT_EQ(in.remaining_bytes(), 21u);
  std::vector<uint64_t> rest;
  while (in.remaining_bytes() > 0) rest.push_back(in.ConsumeIntegral<uint64_t>());
  EXPECT_EQ(rest, (std::vector<uint64_t>{UINT64_C(17278804891064996332), UINT64_C(14385197977541994948),
                                         UINT64_C(684952203275)}));
  // Used up: the minimum, and false.
  EXPECT_EQ(in.ConsumeIntegralInRange<int>(3, 9), 3);
  EXPECT_FALSE(in.ConsumeBool());
}

TEST(FuzzedDataProvider, ASingleValueRangeReadsNothing) {
  const uint8_t data[] = {1, 2, 3};
  FuzzedDataProvider in(data, sizeof data);
  EXPECT_EQ(in.ConsumeIntegralInRange<int>(7, 7), 7);
  EXPECT_EQ(in.remaining_bytes(), 3u);
  EXPECT_EQ(in.ConsumeIntegralInRange<int>(0, 255), 3);  // one byte, from the end
  EXPECT_EQ(in.remaining_bytes(), 2u);
}

}  // namespace
