// runProcessPool (core/process_pool.h): outcomes in job order, whatever
// order the processes end in; exit codes, signals and both output streams.
#include <gtest/gtest.h>

#include <stdexcept>

#include "jitscope/core/process_pool.h"

namespace jitscope {
namespace {

std::vector<std::string> shell(const std::string& script) { return {"sh", "-c", script}; }

TEST(ProcessPool, OutcomesInJobOrder) {
  // The first job ends last: the results still follow the jobs.
  const auto outcomes = runProcessPool("/bin/sh",
                                       {shell("sleep 0.3; echo first"), shell("echo second; echo oops >&2; exit 3"),
                                        shell("kill -9 $$"), shell("printf fourth")},
                                       2);
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_TRUE(outcomes[0].exited);
  EXPECT_EQ(outcomes[0].exit_code, 0);
  EXPECT_EQ(outcomes[0].out, "first\n");
  EXPECT_GE(outcomes[0].seconds, 0.25);
  EXPECT_TRUE(outcomes[1].exited);
  EXPECT_EQ(outcomes[1].exit_code, 3);
  EXPECT_EQ(outcomes[1].out, "second\n");
  EXPECT_EQ(outcomes[1].err, "oops\n");
  EXPECT_FALSE(outcomes[2].exited);
  EXPECT_EQ(outcomes[2].signal, 9);
  EXPECT_EQ(outcomes[3].out, "fourth");
}

TEST(ProcessPool, ZeroParallelRunsOneAtATime) {
  const auto outcomes = runProcessPool("/bin/sh", {shell("echo a"), shell("echo b")}, 0);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].out + outcomes[1].out, "a\nb\n");
}

TEST(ProcessPool, AProgramThatCannotStartThrows) {
  EXPECT_THROW(runProcessPool("/nonexistent/jitscope", {{"jitscope"}}, 1), std::runtime_error);
}

}  // namespace
}  // namespace jitscope
