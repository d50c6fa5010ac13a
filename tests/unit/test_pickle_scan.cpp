// The pickle scan behind the archive gate: what a TorchScript data.pkl
// declares (storages, tensor views), and every way a pickle is refused.
#include "jitscope/inspector/pickle_scan.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace jitscope {
namespace {

// A tiny protocol-2 pickle assembler, so each test shows its opcodes.
std::string global(const std::string& module, const std::string& name) {
  return "c" + module + "\n" + name + "\n";
}
std::string str(const std::string& s) {
  std::string out = "X";
  for (int i = 0; i < 4; ++i) out += static_cast<char>((s.size() >> (8 * i)) & 0xff);
  return out + s;
}
std::string i64(int64_t v) {
  std::string out = "\x8a\x08";
  for (int i = 0; i < 8; ++i) out += static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
  return out;
}
std::string storage(const std::string& type, const std::string& key, int64_t numel) {
  return "(" + str("storage") + global("torch", type) + str(key) + str("cpu") + i64(numel) + "tQ";
}
std::string tuple(std::initializer_list<int64_t> values) {
  std::string out = "(";
  for (int64_t v : values) out += i64(v);
  return out + "t";
}
// _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)
std::string tensor(const std::string& storage_ops, int64_t offset, std::initializer_list<int64_t> sizes,
                   std::initializer_list<int64_t> strides) {
  return global("torch._utils", "_rebuild_tensor_v2") + "(" + storage_ops + i64(offset) + tuple(sizes) +
         tuple(strides) + "\x89" + global("collections", "OrderedDict") + ")Rt" + "R";
}
std::string pickle(const std::string& body) { return "\x80\x02" + body + "."; }

std::string rejection(const std::string& bytes) {
  try {
    scanPickle(bytes);
  } catch (const PickleRejected& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
    return e.what();
  }
  return "accepted";
}

TEST(PickleScan, ReadsStoragesAndTensorsOfAModule) {
  const std::string bytes = pickle(global("__torch__.m", "M") + ")\x81}(" + str("w") +
                                   tensor(storage("FloatStorage", "0", 16), 0, {4, 4}, {4, 1}) + "q\x07" +
                                   str("b") + tensor(storage("LongStorage", "1", 4), 0, {4}, {1}) + "ub");
  const PickleSummary summary = scanPickle(bytes);
  ASSERT_EQ(summary.storages.size(), 2u);
  EXPECT_EQ(summary.storages[0].key, "0");
  EXPECT_EQ(summary.storages[0].dtype, "float32");
  EXPECT_EQ(summary.storages[0].bytes(), 64u);
  EXPECT_EQ(summary.storages[1].dtype, "int64");
  EXPECT_EQ(summary.storages[1].bytes(), 32u);
  ASSERT_EQ(summary.tensors.size(), 2u);
  EXPECT_EQ(summary.tensors[0].sizes, (std::vector<int64_t>{4, 4}));
}

TEST(PickleScan, RefusesGlobalsOutsideTorchScript) {
  for (const auto& [module, name] : {std::pair{"os", "system"}, {"builtins", "eval"}, {"builtins", "exec"},
                                     {"subprocess", "Popen"}, {"torch", "load"}, {"posix", "system"}}) {
    const std::string message =
        rejection(pickle(global(module, name) + str("touch pwned") + "\x85R"));
    EXPECT_NE(message.find(std::string("the global '") + module + "." + name + "'"), std::string::npos)
        << message;
    EXPECT_NE(message.find("refused without running it"), std::string::npos) << message;
  }
}

TEST(PickleScan, RefusesUnknownStorageTypes) {
  EXPECT_NE(rejection(pickle(storage("EvilStorage", "0", 1))).find("'torch.EvilStorage'"), std::string::npos);
}

TEST(PickleScan, RefusesShapesThatOverflowOrLeaveTheStorage) {
  EXPECT_NE(rejection(pickle(tensor(storage("FloatStorage", "0", 16), 0, {int64_t{1} << 40, int64_t{1} << 40},
                                    {int64_t{1} << 40, 1})))
                .find("overflows 64 bits"),
            std::string::npos);
  EXPECT_NE(rejection(pickle(tensor(storage("FloatStorage", "0", 16), 0, {5, 4}, {4, 1})))
                .find("needs 20 elements but its storage '0' declares 16"),
            std::string::npos);
  EXPECT_NE(rejection(pickle(tensor(storage("FloatStorage", "0", 16), 1, {4, 4}, {4, 1}))).find("needs 17"),
            std::string::npos);
  EXPECT_NE(rejection(pickle(tensor(storage("FloatStorage", "0", 16), 0, {4, -1}, {4, 1}))).find("negative"),
            std::string::npos);
  EXPECT_NE(rejection(pickle(storage("DoubleStorage", "0", int64_t{1} << 61))).find("overflows"),
            std::string::npos);
  // Empty and broadcast (stride 0) views are legal over a small storage.
  EXPECT_EQ(rejection(pickle(tensor(storage("FloatStorage", "0", 1), 0, {1 << 20, 0}, {1, 1}))), "accepted");
  EXPECT_EQ(rejection(pickle(tensor(storage("FloatStorage", "0", 1), 0, {1 << 20}, {0}))), "accepted");
}

TEST(PickleScan, RefusesMalformedPickles) {
  EXPECT_NE(rejection("\x80\x02").find("truncated"), std::string::npos);
  EXPECT_NE(rejection(pickle("t")).find("no MARK"), std::string::npos);
  EXPECT_NE(rejection(pickle("0")).find("stack underflow"), std::string::npos);
  EXPECT_NE(rejection(pickle("h\x05")).find("memo entry 5"), std::string::npos);
  EXPECT_NE(rejection(pickle("X\xff\xff\xff\x7f")).find("truncated"), std::string::npos);
  EXPECT_NE(rejection(pickle("P0\n")).find("opcode 0x50"), std::string::npos);
  // Found by fuzz/fuzz_torch_unpickler.cpp: LibTorch sizes its memo table by
  // the index (here 0x72727272 entries, 30 GB); refused before it can.
  EXPECT_NE(rejection(pickle("Nrrrrr0")).find("memo entry 1920103026"), std::string::npos);
  // Found by scripts/gpu/fuzz-sanitized.sh (fuzz_torch_unpickler under
  // AddressSanitizer): LibTorch 1.13's Unpickler pops without checking its
  // stack. BUILD on an empty stack is a SEGV there, BUILDs after an EMPTY_TUPLE
  // free memory it never allocated, BINPERSIDs on an empty stack a SEGV.
  EXPECT_NE(rejection(std::string("\x80\x02" "b0\x19\xf8\x39.", 8)).find("stack underflow at byte 2"),
            std::string::npos);
  EXPECT_NE(rejection("\x80\x02)bb\x89vbbbbbbbbbb.").find("stack underflow at byte 3"), std::string::npos);
  EXPECT_NE(rejection("\x80\x02" + std::string(30, 'Q') + ".").find("stack underflow at byte 2"), std::string::npos);
  EXPECT_NE(rejection(pickle("(" + str("storage") + "tQ")).find("persistent id"), std::string::npos);
  EXPECT_NE(rejection(pickle(storage("FloatStorage", "0", 4) + storage("FloatStorage", "0", 8)))
                .find("declared twice"),
            std::string::npos);
  EXPECT_NE(rejection(pickle(storage("FloatStorage", "../x", 4))).find("not a record name"), std::string::npos);
  // The lite interpreter's writer names storages "N.storage" (bytecode 5
  // on); the suffix is allowed once, after a plain stem, and nothing else.
  EXPECT_EQ(scanPickle(pickle(storage("FloatStorage", "140245072983168.storage", 4))).storages.at(0).key,
            "140245072983168.storage");
  EXPECT_NE(rejection(pickle(storage("FloatStorage", ".storage", 4))).find("not a record name"), std::string::npos);
  EXPECT_NE(rejection(pickle(storage("FloatStorage", "0..storage", 4))).find("not a record name"), std::string::npos);
  EXPECT_NE(rejection(pickle(storage("FloatStorage", "0.pkl", 4))).find("not a record name"), std::string::npos);
  // Regression (found by fuzz/fuzz_pickle_scan.cpp): a key with a newline
  // made the refusal two lines; rejection() checks it is one.
  EXPECT_NE(rejection(pickle(storage("FloatStorage", "0\n1", 4))).find("storage key '0\\x0a1'"),
            std::string::npos);
}

// Issue 18: LibTorch destroys and copies the IValues it unpickles
// recursively, so nesting past the bound (kMaxNesting, 1000) ended jitscope
// with SIGSEGV; every way of nesting is refused, and what TorchScript writes
// passes.
TEST(PickleScan, RefusesNestingDeeperThanTheBoundHoweverItIsBuilt) {
  auto repeat = [](const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  const std::string bound = "more than 1000 levels deep";
  // Tuples (TUPLE1), lists (APPENDS), dicts (SETITEMS), objects (BUILD).
  EXPECT_NE(rejection(pickle(")" + repeat("\x85", 1000))).find(bound), std::string::npos);
  EXPECT_EQ(rejection(pickle(")" + repeat("\x85", 998))), "accepted");
  EXPECT_NE(rejection(pickle(repeat("](", 1001) + repeat("e", 1001))).find(bound), std::string::npos);
  EXPECT_EQ(rejection(pickle(repeat("](", 999) + repeat("e", 999))), "accepted");
  EXPECT_NE(rejection(pickle(repeat("}(N", 1001) + repeat("u", 1001))).find(bound), std::string::npos);
  EXPECT_NE(rejection(pickle(repeat(global("__torch__.m", "M") + ")\x81", 1001) + repeat("b", 1000)))
                .find(bound),
            std::string::npos);
  // A list grown through a memo reference after it was put in its parent:
  // A=[B], then B=[C], C=[D], ... each level costs a few bytes.
  using namespace std::string_literals;  // the opcodes hold NUL bytes
  std::string grown = "]q\x00"s;  // A, memo 0
  for (int i = 0; i < 1100; ++i) {
    grown += "j" + std::string(reinterpret_cast<const char*>(&i), 4);  // get level i (LONG_BINGET, little-endian)
    const int next = i + 1;
    grown += "]r" + std::string(reinterpret_cast<const char*>(&next), 4) + "a0";  // append a new list, memo it
  }
  EXPECT_NE(rejection(pickle(grown)).find(bound), std::string::npos);
  // A list inside itself.
  EXPECT_NE(rejection(pickle("]q\x00h\x00"s + "a")).find("inside themselves"), std::string::npos);
}

}  // namespace
}  // namespace jitscope
