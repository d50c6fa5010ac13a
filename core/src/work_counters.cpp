// See work_counters.h.
#include "jitscope/core/work_counters.h"

#include <atomic>

namespace jitscope {
namespace {

std::atomic<size_t> counts[4];

}  // namespace

void countWork(Work work) { counts[static_cast<size_t>(work)].fetch_add(1, std::memory_order_relaxed); }

size_t workCount(Work work) { return counts[static_cast<size_t>(work)].load(std::memory_order_relaxed); }

}  // namespace jitscope
