// A fuzz target with planted bugs, linked only with fuzz/standalone_main.cpp
// for tests/fuzz/standalone_driver.py: it proves the driver saves what
// kills, hangs or bloats a child and goes on. No real code has these bugs.
//   'C...'  abort()
//   'OV..'  reads one byte past a heap buffer (AddressSanitizer reports it)
//   'HANG'  sleeps until the driver's -timeout kills it
//   'BIG!'  touches 600 MiB (past a -rss_limit_mb of 500)
// Anything else returns at once.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 1 && data[0] == 'C') std::abort();
  if (size >= 4 && std::memcmp(data, "OV", 2) == 0) {
    char* copy = static_cast<char*>(std::malloc(size));
    std::memcpy(copy, data, size);
    volatile char past = copy[size];  // the planted overflow
    (void)past;
    std::free(copy);
  }
  if (size >= 4 && std::memcmp(data, "HANG", 4) == 0) {
    for (;;) sleep(1);
  }
  if (size >= 4 && std::memcmp(data, "BIG!", 4) == 0) {
    const size_t bytes = size_t{600} << 20;
    static char* volatile block;  // kept, so the compiler cannot drop the allocation
    block = static_cast<char*>(std::malloc(bytes));
    if (block) std::memset(block, 1, bytes);
    for (;;) sleep(1);  // held until the driver sees it
  }
  return 0;
}
