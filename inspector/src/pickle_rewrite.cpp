#include "jitscope/inspector/pickle_rewrite.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "jitscope/inspector/pickle_scan.h"

namespace jitscope {
namespace {

// See Note [Why rewrite torch.save pickles] in pickle_rewrite.h.

constexpr size_t kNoMemo = SIZE_MAX;
constexpr size_t kMaxGlobalLine = 512;

struct Op {
  size_t offset = 0;  ///< first byte (the opcode) in the input
  size_t length = 0;  ///< opcode and argument bytes
  size_t memo_put = kNoMemo;
  size_t memo_get = kNoMemo;
  bool implicit_put = false;  ///< MEMOIZE: its index is the memo's size, so it cannot be dropped
  char replacement = 0;       ///< emitted instead of the op when non-zero (argument-less ops only)
  bool dropped = false;       ///< the op alone is not emitted (the MARKs before it are)
  bool in_dropped_state = false;  ///< inside a dropped BUILD state: nothing before or of it is emitted
  size_t marks_before = 0;    ///< MARKs inserted before the op
};

enum class Tag { kOther, kOrderedDictClass, kEmptyTuple, kOrderedDict };

struct Item {
  size_t start;  ///< first op whose result is part of this value (the stack had `index` items before it)
  size_t op;     ///< the op that pushed it
  Tag tag = Tag::kOther;
  bool memoised = false;
};

class Rewriter {
 public:
  explicit Rewriter(std::string_view in) : in_(in) {}

  std::string run(PickleRewriteStats* out_stats) {
    bool stopped = false;
    while (!stopped) {
      if (pos_ >= in_.size()) fail("pickle is truncated (no STOP opcode)");
      stopped = step();
    }
    if (stack_.empty()) fail("malformed pickle: STOP with an empty stack");
    for (const Item& item : stack_) {
      if (item.tag == Tag::kOrderedDictClass) fail("malformed pickle: collections.OrderedDict is left unused on the stack");
    }
    if (out_stats) *out_stats = stats_;
    if (!stats_.changed()) return std::string(in_);
    checkDroppedMemo();
    std::string out;
    out.reserve(in_.size() + stats_.appends + stats_.setitems);
    // Bytes after STOP are kept: LibTorch never reads them, and the scan
    // saw them as they are.
    for (const Op& op : ops_) {
      if (op.in_dropped_state) continue;
      out.append(op.marks_before, '(');
      if (op.dropped) continue;
      if (op.replacement) {
        out.push_back(op.replacement);
      } else {
        out.append(in_.substr(op.offset, op.length));
      }
    }
    out.append(in_.substr(pos_));
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const { throw PickleRejected(why); }

  uint64_t le(size_t n) {
    if (in_.size() - pos_ < n) fail(fmt::format("pickle is truncated at byte {}", pos_));
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t{static_cast<unsigned char>(in_[pos_ + i])} << (8 * i);
    pos_ += n;
    return v;
  }
  void skip(uint64_t n) {
    if (in_.size() - pos_ < n) fail(fmt::format("pickle is truncated at byte {}", pos_));
    pos_ += n;
  }
  std::string_view line() {
    const size_t end = in_.find('\n', pos_);
    if (end == std::string_view::npos || end - pos_ > kMaxGlobalLine) {
      fail(fmt::format("malformed GLOBAL opcode at byte {}", pos_));
    }
    const std::string_view s = in_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return s;
  }

  size_t current() const { return ops_.size() - 1; }
  void push(Tag tag = Tag::kOther) { stack_.push_back({current(), current(), tag, false}); }
  void pushFrom(size_t start, Tag tag = Tag::kOther) { stack_.push_back({start, current(), tag, false}); }

  // Every value but the OrderedDict class may be consumed by any op; the
  // class only by the REDUCE that makes the dict (reduce() takes it itself).
  Item pop() {
    if (stack_.size() <= floor()) fail(fmt::format("malformed pickle: stack underflow at byte {}", ops_.back().offset));
    Item item = stack_.back();
    stack_.pop_back();
    if (item.tag == Tag::kOrderedDictClass) {
      fail(fmt::format("pickle uses collections.OrderedDict at byte {} other than by calling it", ops_.back().offset));
    }
    return item;
  }
  size_t floor() const { return marks_.empty() ? 0 : marks_.back().stack_size; }
  Item& top() {
    if (stack_.size() <= floor()) fail(fmt::format("malformed pickle: stack underflow at byte {}", ops_.back().offset));
    return stack_.back();
  }
  // Pops to the last MARK; returns the MARK's op (the start of what replaces them).
  size_t popToMark() {
    if (marks_.empty()) fail(fmt::format("malformed pickle: no MARK before byte {}", ops_.back().offset));
    while (stack_.size() > marks_.back().stack_size) pop();
    const size_t op = marks_.back().op;
    marks_.pop_back();
    return op;
  }
  // The container under the popped items (APPEND, SETITEM, BUILD, ...).
  Item& target() {
    if (stack_.size() <= floor()) fail(fmt::format("malformed pickle: no container under byte {}", ops_.back().offset));
    return stack_.back();
  }

  void memoPut(size_t index) {
    Item& item = top();
    ops_.back().memo_put = index;
    if (item.tag == Tag::kOrderedDictClass) {
      ops_.back().dropped = true;  // the class is never stored: its loads are dropped too
    } else if (item.tag == Tag::kEmptyTuple) {
      item.memoised = true;
    }
    memo_[index] = item.tag == Tag::kEmptyTuple ? Tag::kOther : item.tag;
  }
  void memoGet(size_t index) {
    const auto it = memo_.find(index);
    if (it == memo_.end()) fail(fmt::format("pickle reads memo entry {} at byte {}, which it never stored", index, ops_.back().offset));
    ops_.back().memo_get = index;
    push(it->second);
  }

  void reduce() {
    const Item args = pop();
    if (stack_.size() <= floor()) fail(fmt::format("malformed pickle: stack underflow at byte {}", ops_.back().offset));
    const Item callable = stack_.back();
    stack_.pop_back();
    if (callable.tag != Tag::kOrderedDictClass) {
      pushFrom(callable.start);
      return;
    }
    // OrderedDict() -> EMPTY_DICT. Only the empty argument tuple Python
    // writes is accepted: OrderedDict(items) would need its items.
    if (args.tag != Tag::kEmptyTuple || args.memoised || args.op != args.start) {
      fail(fmt::format("pickle calls collections.OrderedDict at byte {} with arguments; only OrderedDict() is read",
                       ops_.back().offset));
    }
    ops_[callable.op].dropped = true;  // GLOBAL or its memo load
    ops_[args.op].dropped = true;      // EMPTY_TUPLE
    ops_.back().replacement = '}';     // EMPTY_DICT
    ++stats_.ordered_dicts;
    pushFrom(callable.start, Tag::kOrderedDict);
  }

  // BUILD on a rewritten OrderedDict: LibTorch would treat the dict as an
  // object; its attributes are dropped with the opcodes that make them.
  void build() {
    const Item state = pop();
    Item& object = target();
    if (object.tag != Tag::kOrderedDict) return;  // left to LibTorch
    for (size_t i = state.start; i < ops_.size(); ++i) ops_[i].in_dropped_state = true;
    ++stats_.dropped_states;
  }

  // A value memoised inside a dropped state and read after it would read
  // nothing: refuse instead.
  void checkDroppedMemo() const {
    std::unordered_map<size_t, bool> stored_in_dropped;
    for (const Op& op : ops_) {
      if (op.memo_put != kNoMemo) {
        if (op.implicit_put && (op.dropped || op.in_dropped_state)) {
          fail("pickle uses MEMOIZE inside a value that has to be dropped; save it with pickle protocol 2");
        }
        stored_in_dropped[op.memo_put] = op.in_dropped_state;
      }
      if (op.memo_get != kNoMemo && !op.in_dropped_state && !op.dropped) {
        const auto it = stored_in_dropped.find(op.memo_get);
        if (it != stored_in_dropped.end() && it->second) {
          fail("pickle reuses a value stored in an OrderedDict's attributes, which LibTorch cannot read; "
               "save dict(value) instead");
        }
      }
    }
  }

  // Returns true at STOP.
  bool step() {
    ops_.push_back(Op{});
    ops_.back().offset = pos_;
    const auto op = static_cast<unsigned char>(in_[pos_++]);
    const bool stop = interpret(op);
    ops_.back().length = pos_ - ops_.back().offset;
    return stop;
  }

  bool interpret(unsigned char op) {
    switch (op) {
      case 0x80: le(1); return false;  // PROTO
      case 0x95: le(8); return false;  // FRAME
      case '.': return true;           // STOP
      case '(': marks_.push_back({stack_.size(), current()}); return false;  // MARK
      case '1': popToMark(); return false;  // POP_MARK
      case '0': pop(); return false;        // POP
      case '2': {                           // DUP
        const Item copy = top();
        if (copy.tag == Tag::kOrderedDictClass) fail("pickle copies collections.OrderedDict (DUP); refused");
        push(copy.tag == Tag::kEmptyTuple ? Tag::kOther : copy.tag);
        return false;
      }
      case 'c': {  // GLOBAL
        const std::string_view module = line();
        const std::string_view name = line();
        push(module == "collections" && name == "OrderedDict" ? Tag::kOrderedDictClass : Tag::kOther);
        return false;
      }
      case 'q': memoPut(le(1)); return false;  // BINPUT
      case 'r': memoPut(le(4)); return false;  // LONG_BINPUT
      case 0x94:                               // MEMOIZE
        ops_.back().implicit_put = true;
        memoPut(memo_.size());
        return false;
      case 'h': memoGet(le(1)); return false;  // BINGET
      case 'j': memoGet(le(4)); return false;  // LONG_BINGET
      case ')': push(Tag::kEmptyTuple); return false;  // EMPTY_TUPLE
      case ']': case '}': push(); return false;       // EMPTY_LIST, EMPTY_DICT
      case 't': case 'l': case 'd': pushFrom(popToMark()); return false;  // TUPLE, LIST, DICT
      case 0x85: case 0x86: case 0x87: {  // TUPLE1..3
        size_t start = current();
        for (unsigned n = op - 0x84u; n > 0; --n) start = pop().start;
        pushFrom(start);
        return false;
      }
      case 'a': {  // APPEND -> MARK <item> APPENDS
        const Item item = pop();
        target();
        ++ops_[item.start].marks_before;
        ops_.back().replacement = 'e';
        ++stats_.appends;
        return false;
      }
      case 's': {  // SETITEM -> MARK <key> <value> SETITEMS
        pop();
        const Item key = pop();
        target();
        ++ops_[key.start].marks_before;
        ops_.back().replacement = 'u';
        ++stats_.setitems;
        return false;
      }
      case 'e': case 'u': popToMark(); target(); return false;  // APPENDS, SETITEMS
      case 'b': build(); return false;                          // BUILD
      case 'N': case 0x88: case 0x89: push(); return false;     // NONE, NEWTRUE, NEWFALSE
      case 'J': le(4); push(); return false;  // BININT
      case 'K': le(1); push(); return false;  // BININT1
      case 'M': le(2); push(); return false;  // BININT2
      case 0x8a: skip(le(1)); push(); return false;  // LONG1
      case 0x8b: skip(le(4)); push(); return false;  // LONG4
      case 'G': le(8); push(); return false;         // BINFLOAT
      case 'X': case 'T': case 'B': skip(le(4)); push(); return false;  // BINUNICODE, BINSTRING, BINBYTES
      case 0x8c: case 'U': case 'C': skip(le(1)); push(); return false;  // SHORT_BINUNICODE, SHORT_BINSTRING, SHORT_BINBYTES
      case 0x8d: case 0x8e: skip(le(8)); push(); return false;  // BINUNICODE8, BINBYTES8
      case 'Q': pushFrom(pop().start); return false;  // BINPERSID
      case 'R': reduce(); return false;              // REDUCE
      case 0x81: {                                    // NEWOBJ
        pop();
        pushFrom(pop().start);
        return false;
      }
      default:
        fail(fmt::format("pickle opcode 0x{:02x} at byte {} is not one torch.save writes", op, ops_.back().offset));
    }
  }

  struct Mark {
    size_t stack_size;
    size_t op;
  };

  std::string_view in_;
  size_t pos_ = 0;
  std::vector<Op> ops_;
  std::vector<Item> stack_;
  std::vector<Mark> marks_;
  std::unordered_map<size_t, Tag> memo_;
  PickleRewriteStats stats_;
};

}  // namespace

std::string rewritePickleForLibTorch(std::string_view pickle, PickleRewriteStats* stats) {
  return Rewriter(pickle).run(stats);
}

}  // namespace jitscope
