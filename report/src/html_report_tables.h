// HTML fragments for the report's check table and pass statistics (private
// to the report library; html_report.cpp places them on the page).
#pragma once

#include <string>

#include "jitscope/report/html_report.h"

namespace jitscope {

/// The outputs of each input set against the reference, one row per output,
/// and the first divergence when the check localized one.
std::string checkTableHtml(const CheckReport& check);

/// The pipeline's per-pass rows (nodes before/after, time, ops that appeared
/// or vanished), whether outputs survived it, and the op counts it changed.
std::string passStatisticsHtml(const PassStatistics& stats);

}  // namespace jitscope
