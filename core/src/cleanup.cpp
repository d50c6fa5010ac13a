#include "jitscope/core/cleanup.h"

#include <atomic>
#include <csignal>
#include <cstring>

#include <sys/mman.h>
#include <unistd.h>

namespace jitscope::cleanup {
namespace {

constexpr int kSlots = 64;
constexpr size_t kPathMax = 4096;

struct Table {
  volatile sig_atomic_t used[kSlots];
  char paths[kSlots][kPathMax];
};

Table g_static_table;
Table* volatile g_table = &g_static_table;

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void onFatalSignal(int sig) {
  unlinkTracked();
  std::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

void installSignalHandlers() {
  for (const int sig : kSignals) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL) continue;
    struct sigaction action {};
    action.sa_handler = onFatalSignal;
    sigemptyset(&action.sa_mask);
    for (const int other : kSignals) sigaddset(&action.sa_mask, other);
    ::sigaction(sig, &action, nullptr);
  }
}

int track(const char* path) {
  installSignalHandlers();
  if (std::strlen(path) >= kPathMax) return -1;
  Table* table = g_table;
  for (int slot = 0; slot < kSlots; ++slot) {
    if (!table->used[slot]) {
      std::strcpy(table->paths[slot], path);
      std::atomic_signal_fence(std::memory_order_seq_cst);  // path before flag
      table->used[slot] = 1;
      return slot;
    }
  }
  return -1;
}

void release(int slot) {
  if (slot >= 0 && slot < kSlots) g_table->used[slot] = 0;
}

void unlinkTracked() {
  Table* table = g_table;
  for (int slot = 0; slot < kSlots; ++slot) {
    if (table->used[slot]) {
      ::unlink(table->paths[slot]);
      table->used[slot] = 0;
    }
  }
}

void shareWithChildren() {
  if (g_table != &g_static_table) return;
  void* shared = ::mmap(nullptr, sizeof(Table), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) return;  // cleanup then relies on the child's own handlers
  std::memcpy(shared, &g_static_table, sizeof(Table));
  g_table = static_cast<Table*>(shared);
}

}  // namespace jitscope::cleanup
