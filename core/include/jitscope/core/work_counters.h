// Process-wide counts of the expensive work on models: loadModel,
// describeModel, auditModel, takeSnapshot each count one per call. Debug
// counters for tests that assert a command path does each piece of work once
// per model (tests/unit/test_session.cpp); nothing else reads them.
#pragma once

#include <cstddef>

namespace jitscope {

enum class Work { kLoad, kDescribe, kAudit, kSnapshot };

/// Counts one `work` (thread-safe).
void countWork(Work work);

/// How many `work` this process did so far.
size_t workCount(Work work);

}  // namespace jitscope
