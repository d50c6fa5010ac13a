// A stand-in for libFuzzer's <fuzzer/FuzzedDataProvider.h>, for building the
// fuzz targets with a compiler that has no libFuzzer (gcc; the GPU machine's
// gcc 13): only what fuzz_compiler.cpp uses. It reads the bytes exactly as
// LLVM's class does (integers taken from the end of the data, most
// significant byte first, reduced modulo the range), so an input saved by
// either build generates the same code in the other. Pinned against values
// from LLVM's header by tests/unit/test_fuzzed_data_provider.cpp.
#ifndef JITSCOPE_FUZZ_FUZZED_DATA_PROVIDER_H
#define JITSCOPE_FUZZ_FUZZED_DATA_PROVIDER_H

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <type_traits>

class FuzzedDataProvider {
 public:
  FuzzedDataProvider(const uint8_t* data, size_t size) : data_(data), remaining_(size) {}

  /// An integer in [min, max] from up to sizeof(T) bytes off the end; `min`
  /// once the data is used up.
  template <typename T>
  T ConsumeIntegralInRange(T min, T max) {
    static_assert(std::is_integral<T>::value && sizeof(T) <= sizeof(uint64_t), "an integral type of at most 64 bits");
    if (min > max) std::abort();
    const uint64_t range = static_cast<uint64_t>(max) - static_cast<uint64_t>(min);
    uint64_t result = 0;
    for (size_t bits = 0; bits < sizeof(T) * CHAR_BIT && (range >> bits) > 0 && remaining_ != 0; bits += CHAR_BIT) {
      --remaining_;
      result = (result << CHAR_BIT) | data_[remaining_];
    }
    if (range != std::numeric_limits<uint64_t>::max()) result %= range + 1;
    return static_cast<T>(static_cast<uint64_t>(min) + result);
  }

  template <typename T>
  T ConsumeIntegral() {
    return ConsumeIntegralInRange(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  }

  bool ConsumeBool() { return (ConsumeIntegral<uint8_t>() & 1) != 0; }

  size_t remaining_bytes() const { return remaining_; }

 private:
  const uint8_t* data_;
  size_t remaining_;
};

#endif  // JITSCOPE_FUZZ_FUZZED_DATA_PROVIDER_H
