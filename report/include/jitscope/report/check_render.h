// Renderers for `jitscope check`: a text table per input set, JSON
// (docs/commands/check.md has the schema) and JUnit XML (one testcase per
// output of each input set).
#pragma once

#include <string>

#include "jitscope/validators/check_report.h"

namespace jitscope {

std::string renderCheckText(const CheckReport& report);
std::string renderCheckJson(const CheckReport& report);
std::string renderCheckJunit(const CheckReport& report);
/// Where the time went (--timing), one line per phase, for stderr.
std::string renderCheckTiming(const CheckReport& report);

}  // namespace jitscope
