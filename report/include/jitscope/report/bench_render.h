// Text table and JSON for `jitscope bench`.
#pragma once

#include <string>

#include "jitscope/validators/benchmark.h"

namespace jitscope {

std::string renderBenchText(const BenchReport& report);
std::string renderBenchJson(const BenchReport& report);

}  // namespace jitscope
