// What issue 18's protections cost on one model, measured in-process: the
// code-record scan (every code/**.py read and checked for nesting, chains
// and bracket sizes: code_depth.h) and the .debug_pkl scan, each the median
// of RUNS calls after one warm-up. bench/protection_cost.py sets these beside
// the whole `info` and `audit` commands.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "jitscope/inspector/archive.h"
#include "jitscope/inspector/code_records.h"

namespace {

double medianSeconds(int runs, const std::function<void()>& work) {
  work();
  std::vector<double> times;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    work();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: protection_probe MODEL.pt [RUNS]\n");
    return 2;
  }
  const int runs = argc > 2 ? std::atoi(argv[2]) : 20;
  const jitscope::ArchiveInfo archive = jitscope::inspectArchive(argv[1]);
  size_t bytes = 0;
  const double code = medianSeconds(runs, [&] {
    bytes = 0;
    jitscope::forEachCodeRecord(archive, [&](const jitscope::CodeRecord& record) { bytes += record.text.size(); });
  });
  const double debug = medianSeconds(runs, [&] { jitscope::checkDebugRecords(archive); });
  std::printf("%.6f %.6f %zu\n", code, debug, bytes);
  return 0;
}
