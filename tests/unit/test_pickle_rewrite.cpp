// The pickle rewrite behind readTensorFile: torch.save's APPEND, SETITEM
// and OrderedDict become what LibTorch 1.13's Unpickler reads, checked by
// unpickling the result with LibTorch itself; malformed streams are refused
// with one line, never a crash.
#include "jitscope/inspector/pickle_rewrite.h"

#include <gtest/gtest.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <random>
#include <string>

#include "jitscope/core/torch_compat.h"
#include "jitscope/inspector/pickle_scan.h"

namespace jitscope {
namespace {

const std::string kProto = "\x80\x02";
std::string global(const std::string& module, const std::string& name) { return "c" + module + "\n" + name + "\n"; }
std::string str(const std::string& s) {
  std::string out = "X";
  for (int i = 0; i < 4; ++i) out += static_cast<char>((s.size() >> (8 * i)) & 0xff);
  return out + s;
}
std::string int1(int v) { return std::string("K") + static_cast<char>(v); }
std::string put(int i) { return std::string("q") + static_cast<char>(i); }
std::string get(int i) { return std::string("h") + static_cast<char>(i); }
const std::string kOrderedDict = global("collections", "OrderedDict");

// What LibTorch reads from the bytes, printed; "error: ..." when it refuses.
std::string libtorchReads(const std::string& pickle) {
  try {
    return c10::str(torch::jit::unpickle(pickle.data(), pickle.size()));
  } catch (const c10::Error& e) {
    return std::string("error: ") + e.what_without_backtrace();
  }
}

std::string rewritten(const std::string& pickle, PickleRewriteStats* stats = nullptr) {
  return libtorchReads(rewritePickleForLibTorch(pickle, stats));
}

TEST(PickleRewrite, OneElementListAppend) {
  const std::string pickle = kProto + "]" + put(0) + int1(7) + "a.";
  // Why the rewrite exists: LibTorch 1.13's unpickler has no APPEND (2.x reads it).
  if (!JITSCOPE_TORCH_AT_LEAST(2, 0)) EXPECT_NE(libtorchReads(pickle).find("Unknown opcode"), std::string::npos);
  PickleRewriteStats stats;
  EXPECT_EQ(rewritten(pickle, &stats), "[7]");
  EXPECT_EQ(stats.appends, 1u);
}

TEST(PickleRewrite, AppendOfACompositeElementMarksBeforeItsFirstOpcode) {
  // [(1, 2)] with the tuple built from a MARK, and [[3]]: nested APPENDs.
  EXPECT_EQ(rewritten(kProto + "](" + int1(1) + int1(2) + "t" + put(1) + "a."), "[(1, 2)]");
  EXPECT_EQ(rewritten(kProto + "]]" + int1(3) + "aa."), "[[3]]");
  // An APPEND after an APPENDS on the same list keeps the order.
  EXPECT_EQ(rewritten(kProto + "](" + int1(1) + int1(2) + "e" + int1(3) + "a."), "[1, 2, 3]");
}

TEST(PickleRewrite, OneEntryDictSetitem) {
  const std::string pickle = kProto + "}" + put(0) + str("a") + put(1) + int1(1) + "s.";
  if (!JITSCOPE_TORCH_AT_LEAST(2, 0)) EXPECT_NE(libtorchReads(pickle).find("Unknown opcode"), std::string::npos);
  PickleRewriteStats stats;
  EXPECT_EQ(rewritten(pickle, &stats), "{a: 1}");
  EXPECT_EQ(stats.setitems, 1u);
}

TEST(PickleRewrite, OrderedDictBecomesADict) {
  // OrderedDict(out=1), as torch.save writes it; then a second one through
  // the memoised class (BINGET), with two entries (SETITEMS).
  const std::string one = kProto + kOrderedDict + put(0) + ")R" + put(1) + str("out") + int1(1) + "s.";
  EXPECT_EQ(libtorchReads(one).rfind("error: ", 0), 0u);
  PickleRewriteStats stats;
  EXPECT_EQ(rewritten(one, &stats), "{out: 1}");
  EXPECT_EQ(stats.ordered_dicts, 1u);
  const std::string nested = kProto + kOrderedDict + put(0) + ")R" + put(1) + str("a") + get(0) + ")R" + put(2) +
                             "(" + str("x") + int1(1) + str("y") + int1(2) + "u" + "s.";
  EXPECT_EQ(rewritten(nested), "{a: {x: 1, y: 2}}");
}

TEST(PickleRewrite, MixturesOfListsDictsAndOrderedDicts) {
  // {"a": [1], "b": OrderedDict(c=[2])} and [OrderedDict(k=3)]
  const std::string mix = kProto + "}" + put(0) + "(" + str("a") + "]" + int1(1) + "a" + str("b") + kOrderedDict +
                          put(1) + ")R" + str("c") + "]" + int1(2) + "as" + "u.";
  EXPECT_EQ(rewritten(mix), "{a: [1], b: {c: [2]}}");
  EXPECT_EQ(rewritten(kProto + "]" + kOrderedDict + ")R" + str("k") + int1(3) + "sa."), "[{k: 3}]");
}

TEST(PickleRewrite, OrderedDictAttributesAreDropped) {
  // A state_dict: OrderedDict(w=1) with _metadata = OrderedDict() (BUILD).
  const std::string pickle = kProto + kOrderedDict + put(0) + ")R" + put(1) + str("w") + int1(1) + "s" + "}" +
                             str("_metadata") + get(0) + ")R" + put(5) + "sb.";
  PickleRewriteStats stats;
  EXPECT_EQ(rewritten(pickle, &stats), "{w: 1}");
  EXPECT_EQ(stats.dropped_states, 1u);
  // A value stored inside the dropped attributes and read after them: refused.
  const std::string reused = kProto + "]" + kOrderedDict + put(0) + ")R" + "}" + str("m") + int1(4) + put(9) + "sb" +
                             get(9) + "a" + ".";
  EXPECT_THROW(rewritePickleForLibTorch(reused), PickleRejected);
}

TEST(PickleRewrite, LeavesOtherPicklesAsTheyAre) {
  const std::string pickle = kProto + "](" + int1(1) + int1(2) + "e}(" + str("a") + int1(1) + "u" + "\x86.";
  PickleRewriteStats stats;
  EXPECT_EQ(rewritePickleForLibTorch(pickle, &stats), pickle);
  EXPECT_FALSE(stats.changed());
}

TEST(PickleRewrite, RefusesMalformedOrUnrewritablePickles) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {kProto + "]" + int1(1) + "a", "no STOP"},
      {kProto + int1(1) + "a.", "no container"},
      {kProto + "a.", "underflow"},
      {kProto + "}" + str("a") + "s.", "no container"},
      {kProto + "]e.", "no MARK"},
      {kProto + "X\xff\xff\xff\x7f" "abc.", "truncated"},
      {kProto + "K", "truncated"},
      {kProto + "\xfe.", "opcode 0xfe"},
      {kProto + get(3) + ".", "never stored"},
      {kProto + "c" + std::string(600, 'x') + ".", "GLOBAL"},
      {kProto + "]" + kOrderedDict + "(" + int1(1) + "tRa.", "with arguments"},
      {kProto + "]" + kOrderedDict + "a.", "other than by calling it"},
      {kProto + kOrderedDict + "2.", "DUP"},
      {kProto + kOrderedDict + ".", "left unused"},
      {kProto + "(" + int1(1) + "t.", ""},  // fine: no rewrite, no error
  };
  for (const auto& [pickle, why] : cases) {
    SCOPED_TRACE(why);
    if (why.empty()) {
      EXPECT_NO_THROW(rewritePickleForLibTorch(pickle));
      continue;
    }
    try {
      rewritePickleForLibTorch(pickle);
      ADD_FAILURE() << "accepted";
    } catch (const PickleRejected& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(why), std::string::npos) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

TEST(PickleRewrite, EveryCutAndFlipOfAValidPickleIsRewrittenOrRefused) {
  const std::string mix = kProto + "}" + put(0) + "(" + str("a") + "]" + int1(1) + "a" + str("b") + kOrderedDict +
                          put(1) + ")R" + str("c") + "]" + int1(2) + "as" + "u.";
  for (size_t cut = 0; cut < mix.size(); ++cut) {
    EXPECT_THROW(rewritePickleForLibTorch(mix.substr(0, cut)), PickleRejected) << cut;
  }
  std::mt19937 rng(18);
  for (int i = 0; i < 2000; ++i) {
    std::string bytes = mix;
    bytes[rng() % bytes.size()] = static_cast<char>(rng());
    try {
      const std::string out = rewritePickleForLibTorch(bytes);
      EXPECT_LE(out.size(), 2 * bytes.size());
    } catch (const PickleRejected&) {
    }
  }
}

}  // namespace
}  // namespace jitscope
