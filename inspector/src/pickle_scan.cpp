#include "jitscope/inspector/pickle_scan.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <memory>
#include <unordered_map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "jitscope/core/errors.h"

namespace jitscope {
namespace {

// Every container (tuple, list, dict, object, REDUCE result) has a node in
// the scanner's nesting graph (PickleValue::node), so its depth is known
// however it was built.
using Value = PickleValue;
using ValuePtr = std::shared_ptr<const Value>;

// Note [Pickle nesting bound]
// LibTorch's Unpickler builds nested lists, dicts, tuples and objects
// iteratively, but the IValues it builds are destroyed, copied, printed and
// type-checked recursively: a 4 MB data.pkl, constants.pkl or .debug_pkl of
// lists nested 200,000 deep ends jitscope with SIGSEGV. TorchScript writes
// one object and one dict per module level plus a few for each attribute,
// so real archives stay far below this bound (ResNet18: 9).
constexpr int kMaxNesting = 1000;
constexpr size_t kMaxRank = 64;
constexpr size_t kMaxGlobalLine = 512;

ValuePtr make(Value::Kind kind) {
  auto v = std::make_shared<Value>();
  v->kind = kind;
  return v;
}
ValuePtr makeInt(int64_t n) {
  auto v = std::make_shared<Value>();
  v->kind = Value::Kind::kInt;
  v->number = n;
  return v;
}
ValuePtr makeStr(std::string s) {
  auto v = std::make_shared<Value>();
  v->kind = Value::Kind::kStr;
  v->text = std::move(s);
  return v;
}

struct StorageType {
  const char* name;
  const char* dtype;
  uint64_t size;
};
constexpr StorageType kStorageTypes[] = {
    {"FloatStorage", "float32", 4},       {"DoubleStorage", "float64", 8},
    {"HalfStorage", "float16", 2},        {"BFloat16Storage", "bfloat16", 2},
    {"LongStorage", "int64", 8},          {"IntStorage", "int32", 4},
    {"ShortStorage", "int16", 2},         {"CharStorage", "int8", 1},
    {"ByteStorage", "uint8", 1},          {"BoolStorage", "bool", 1},
    {"ComplexFloatStorage", "complex64", 8}, {"ComplexDoubleStorage", "complex128", 16},
    {"ComplexHalfStorage", "complex32", 4},
    {"QInt8Storage", "qint8", 1},         {"QUInt8Storage", "quint8", 1},
    {"QInt32Storage", "qint32", 4},       {"QUInt4x2Storage", "quint4x2", 1},
    {"QUInt2x4Storage", "quint2x4", 1},
};

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The globals LibTorch's Unpickler (torch/csrc/jit/serialization/
// unpickler.cpp, readGlobal) resolves for TorchScript archives. Anything
// else is either a TorchScript class (__torch__.*) or not ours.
bool isAllowedGlobal(std::string_view module, std::string_view name) {
  if (module == "__torch__" || startsWith(module, "__torch__.")) return true;
  auto in = [&](std::string_view m, std::initializer_list<std::string_view> names) {
    return module == m && std::find(names.begin(), names.end(), name) != names.end();
  };
  return in("torch._utils", {"_rebuild_tensor_v2", "_rebuild_qtensor", "_rebuild_sparse_tensor"}) ||
         in("torch._tensor", {"_rebuild_from_type_v2"}) ||
         in("torch", {"device"}) ||
         // Quantization schemes in _rebuild_qtensor's arguments: readGlobal
         // resolves every at::QScheme name under `torch` (quantized models).
         in("torch", {"per_tensor_affine", "per_channel_affine", "per_tensor_symmetric",
                      "per_channel_symmetric", "per_channel_affine_float_qparams"}) ||
         in("collections", {"OrderedDict"}) ||
         in("builtins", {"complex"}) || in("torch.distributed.rpc", {"rref"}) ||
         in("torch.jit._pickle", {"build_intlist", "build_tensorlist", "build_doublelist",
                                  "build_boollist", "build_tensor_from_id", "restore_type_tag"}) ||
         in("__main__", {"TensorID", "IntList", "TensorList", "DoubleList", "BoolList"});
}

class Scanner {
 public:
  explicit Scanner(std::string_view bytes) : in_(bytes) {}

  PickleSummary run() {
    while (true) {
      const size_t at = pos_;
      const auto op = static_cast<unsigned char>(u8());
      if (step(op, at)) break;
    }
    return std::move(summary_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw PickleRejected(what); }

  // --- reading -------------------------------------------------------------
  void need(uint64_t n) const {
    if (n > in_.size() - pos_) {
      fail(fmt::format("pickle is truncated at byte {} (needs {} more bytes, has {})", pos_, n,
                       in_.size() - pos_));
    }
  }
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint64_t le(size_t n) {
    need(n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += n;
    return v;
  }
  std::string bytes(uint64_t n) {
    need(n);
    std::string s(in_.substr(pos_, static_cast<size_t>(n)));
    pos_ += static_cast<size_t>(n);
    return s;
  }
  std::string line() {
    const size_t end = in_.find('\n', pos_);
    if (end == std::string_view::npos || end - pos_ > kMaxGlobalLine) {
      fail(fmt::format("malformed GLOBAL opcode at byte {}", pos_));
    }
    std::string s(in_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }

  // --- stack -----------------------------------------------------------------
  void push(ValuePtr v) { stack_.push_back(std::move(v)); }
  ValuePtr pop(size_t at) {
    if (stack_.size() <= floor()) fail(fmt::format("malformed pickle: stack underflow at byte {}", at));
    ValuePtr v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  std::vector<ValuePtr> popToMark(size_t at) {
    if (marks_.empty()) fail(fmt::format("malformed pickle: no MARK before byte {}", at));
    const size_t mark = marks_.back();
    marks_.pop_back();
    std::vector<ValuePtr> items(std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(mark)),
                                std::make_move_iterator(stack_.end()));
    stack_.resize(mark);
    return items;
  }
  // --- nesting ---------------------------------------------------------------
  // A list or dict can grow after it was put inside another (APPEND through
  // a memo reference), so a container's depth is kept in a graph of nodes
  // with parent edges and raised along them; a cycle raises it past the
  // bound. Each node's depth only grows and stops at the bound, so the work
  // is at most kMaxNesting per edge.
  struct Node {
    int depth = 1;
    std::vector<size_t> parents;
  };
  std::shared_ptr<Value> container(Value::Kind kind) {
    auto v = std::make_shared<Value>();
    v->kind = kind;
    v->node = static_cast<int64_t>(nodes_.size());
    nodes_.emplace_back();
    return v;
  }
  int depthOf(const ValuePtr& v) const { return v->node < 0 ? 1 : nodes_[static_cast<size_t>(v->node)].depth; }
  // `child` is now inside `parent` (no-op when parent is not a container).
  void contain(const ValuePtr& parent, const ValuePtr& child, size_t at) {
    if (parent->node < 0) return;
    const auto p = static_cast<size_t>(parent->node);
    if (child->node >= 0) nodes_[static_cast<size_t>(child->node)].parents.push_back(p);
    std::vector<std::pair<size_t, int>> work{{p, depthOf(child) + 1}};
    while (!work.empty()) {
      const auto [n, depth] = work.back();
      work.pop_back();
      if (nodes_[n].depth >= depth) continue;
      if (depth > kMaxNesting) {
        fail(fmt::format("pickle nests lists, dicts, tuples or objects more than {} levels deep (or inside "
                         "themselves) at byte {}, which LibTorch would recurse into until its stack overflows; "
                         "the file was crafted or damaged, re-export it",
                         kMaxNesting, at));
      }
      nodes_[n].depth = depth;
      for (const size_t q : nodes_[n].parents) work.emplace_back(q, depth + 1);
    }
  }
  // Stack top, the container an APPEND, SETITEM or BUILD adds to.
  const ValuePtr& target(size_t at) {
    if (stack_.size() <= floor()) fail(fmt::format("malformed pickle: stack underflow at byte {}", at));
    return stack_.back();
  }
  void pushContainer(Value::Kind kind, const std::vector<ValuePtr>& items, size_t at) {
    auto v = container(kind);
    if (kind == Value::Kind::kTuple) v->items = items;
    ValuePtr done = v;
    for (const auto& item : items) contain(done, item, at);
    push(std::move(done));
  }
  void pushTuple(std::vector<ValuePtr> items, size_t at) { pushContainer(Value::Kind::kTuple, items, at); }
  void memoPut(uint64_t index, size_t at) {
    if (stack_.empty()) fail(fmt::format("malformed pickle: memo store of an empty stack at byte {}", at));
    // Writers number memo entries from 0, one per BINPUT of at least two
    // bytes, so an index past the pickle's size is crafted. LibTorch's
    // Unpickler resizes its memo table to the index: 0x72727272 costs 30 GB.
    if (index > in_.size()) {
      fail(fmt::format("pickle stores memo entry {} at byte {}, more than a pickle of {} bytes can hold; "
                       "LibTorch would allocate a table that large",
                       index, at, in_.size()));
    }
    memo_[index] = stack_.back();
  }
  void memoGet(uint64_t index, size_t at) {
    auto it = memo_.find(index);
    if (it == memo_.end()) fail(fmt::format("malformed pickle: memo entry {} read before written (byte {})", index, at));
    push(it->second);
  }

  // --- semantics -------------------------------------------------------------
  void global(const std::string& module, const std::string& name) {
    const std::string full = module + "." + name;
    if (std::find(summary_.globals.begin(), summary_.globals.end(), full) == summary_.globals.end()) {
      summary_.globals.push_back(full);
    }
    std::string dtype;
    uint64_t size = 0;
    if (module == "torch" && storageTypeInfo(full, &dtype, &size)) {
      // fallthrough: a storage type is a valid global
    } else if (module == "torch" && name.size() > 7 && name.compare(name.size() - 7, 7, "Storage") == 0) {
      fail(fmt::format("pickle declares storage type 'torch.{}', which is not a known dtype", printable(name)));
    } else if (!isAllowedGlobal(module, name)) {
      fail(fmt::format("pickle refers to the global '{}', which no TorchScript archive contains; "
                       "refused without running it (the file was crafted or is not a torch.jit.save export)",
                       printable(full)));
    }
    auto v = std::make_shared<Value>();
    v->kind = Value::Kind::kGlobal;
    v->text = full;
    push(std::move(v));
  }

  void persistentId(const ValuePtr& pid, size_t at) {
    using K = Value::Kind;
    const auto& t = pid->items;
    if (pid->kind != K::kTuple || t.size() != 5 || t[0]->kind != K::kStr || t[0]->text != "storage" ||
        t[1]->kind != K::kGlobal || t[2]->kind != K::kStr || t[3]->kind != K::kStr || t[4]->kind != K::kInt) {
      fail(fmt::format("pickle has a persistent id at byte {} that is not "
                       "('storage', torch.<T>Storage, key, location, numel)", at));
    }
    DeclaredStorage storage;
    if (!storageTypeInfo(t[1]->text, &storage.dtype, &storage.element_size)) {
      fail(fmt::format("persistent id at byte {} names '{}' as its storage type", at, printable(t[1]->text)));
    }
    storage.key = t[2]->text;
    storage.location = printable(t[3]->text);
    // torch names storage records by number ("0", "17"), and the lite
    // interpreter's writer (bytecode >= 5) by number and ".storage"
    // ("0.storage", "140245072983168.storage"); allow a little more, never a
    // path, a control character or anything to escape.
    std::string_view stem = storage.key;
    constexpr std::string_view kStorageSuffix = ".storage";
    if (stem.size() > kStorageSuffix.size() && stem.substr(stem.size() - kStorageSuffix.size()) == kStorageSuffix) {
      stem.remove_suffix(kStorageSuffix.size());
    }
    const bool plain = !stem.empty() && storage.key.size() <= 64 && std::all_of(stem.begin(), stem.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (!plain) fail(fmt::format("storage key '{}' is not a record name", printable(storage.key)));
    if (t[4]->number < 0) fail(fmt::format("storage '{}' declares {} elements", storage.key, t[4]->number));
    storage.numel = static_cast<uint64_t>(t[4]->number);
    uint64_t bytes = 0;
    if (__builtin_mul_overflow(storage.numel, storage.element_size, &bytes) ||
        bytes > static_cast<uint64_t>(INT64_MAX)) {
      fail(fmt::format("storage '{}' declares {} x {} elements: the size overflows", storage.key, storage.numel,
                       storage.dtype));
    }
    size_t index = summary_.storages.size();
    auto found = by_key_.find(storage.key);
    if (found != by_key_.end()) {
      index = found->second;
      const auto& seen = summary_.storages[index];
      if (seen.numel != storage.numel || seen.dtype != storage.dtype) {
        fail(fmt::format("storage '{}' is declared twice, as {} x {} and {} x {}", storage.key, seen.numel,
                         seen.dtype, storage.numel, storage.dtype));
      }
    } else {
      by_key_.emplace(storage.key, index);
      summary_.storages.push_back(std::move(storage));
    }
    auto v = std::make_shared<Value>();
    v->kind = K::kStorage;
    v->number = static_cast<int64_t>(index);
    push(std::move(v));
  }

  std::vector<int64_t> intTuple(const ValuePtr& v, const char* what, size_t at) {
    if (v->kind != Value::Kind::kTuple) fail(fmt::format("tensor {} at byte {} is not a tuple", what, at));
    if (v->items.size() > kMaxRank) fail(fmt::format("tensor at byte {} has {} dimensions", at, v->items.size()));
    std::vector<int64_t> out;
    for (const auto& item : v->items) {
      if (item->kind != Value::Kind::kInt) fail(fmt::format("tensor {} at byte {} holds a non-integer", what, at));
      out.push_back(item->number);
    }
    return out;
  }

  // torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...):
  // the view must lie inside the declared storage.
  ValuePtr rebuildTensor(const ValuePtr& args, size_t at) {
    using K = Value::Kind;
    const auto& a = args->items;
    if (a.size() < 4 || a[0]->kind != K::kStorage || a[1]->kind != K::kInt) {
      fail(fmt::format("tensor at byte {} is not rebuilt from (storage, offset, size, stride)", at));
    }
    DeclaredTensor tensor;
    tensor.storage = static_cast<size_t>(a[0]->number);
    if (a[1]->number < 0) fail(fmt::format("tensor at byte {} has a negative storage offset", at));
    tensor.offset = static_cast<uint64_t>(a[1]->number);
    tensor.sizes = intTuple(a[2], "size", at);
    tensor.strides = intTuple(a[3], "stride", at);
    const DeclaredStorage& storage = summary_.storages[tensor.storage];
    const std::string shape = fmt::format("[{}]", fmt::join(tensor.sizes, ", "));
    if (tensor.sizes.size() != tensor.strides.size()) {
      fail(fmt::format("tensor of shape {} has {} strides", shape, tensor.strides.size()));
    }
    uint64_t numel = 1;
    uint64_t extent = 0;  // highest element index touched, plus one
    bool empty = false;
    for (size_t d = 0; d < tensor.sizes.size(); ++d) {
      if (tensor.sizes[d] < 0 || tensor.strides[d] < 0) {
        fail(fmt::format("tensor declares shape {} with stride [{}]: negative sizes or strides", shape,
                         fmt::join(tensor.strides, ", ")));
      }
      const auto size = static_cast<uint64_t>(tensor.sizes[d]);
      uint64_t span = 0;
      if (__builtin_mul_overflow(numel, size, &numel) || numel > static_cast<uint64_t>(INT64_MAX) ||
          (size > 0 && (__builtin_mul_overflow(size - 1, static_cast<uint64_t>(tensor.strides[d]), &span) ||
                        __builtin_add_overflow(extent, span, &extent)))) {
        fail(fmt::format("tensor declares shape {}, whose element count overflows 64 bits", shape));
      }
      empty = empty || size == 0;
    }
    if (!empty && (__builtin_add_overflow(extent, tensor.offset, &extent) ||
                   __builtin_add_overflow(extent, uint64_t{1}, &extent))) {
      fail(fmt::format("tensor of shape {} at offset {} overflows 64 bits", shape, tensor.offset));
    }
    if (!empty && extent > storage.numel) {
      fail(fmt::format("tensor of shape {} (stride [{}], offset {}) needs {} elements but its storage '{}' "
                       "declares {}",
                       shape, fmt::join(tensor.strides, ", "), tensor.offset, extent, storage.key, storage.numel));
    }
    summary_.tensors.push_back(std::move(tensor));
    return make(K::kTensor);
  }

  void reduce(size_t at) {
    const ValuePtr args = pop(at);
    const ValuePtr callable = pop(at);
    if (callable->kind != Value::Kind::kGlobal || args->kind != Value::Kind::kTuple) {
      fail(fmt::format("malformed pickle: REDUCE at byte {} calls something that is not a known global", at));
    }
    if (callable->text == "torch._utils._rebuild_tensor_v2" || callable->text == "torch._utils._rebuild_qtensor") {
      push(rebuildTensor(args, at));
    } else {
      pushContainer(Value::Kind::kOpaque, {args}, at);
    }
  }

  // Returns true at STOP.
  bool step(unsigned char op, size_t at) {
    using K = Value::Kind;
    switch (op) {
      case 0x80: {  // PROTO
        const uint8_t proto = u8();
        if (proto > 5) fail(fmt::format("pickle protocol {} is unknown", proto));
        return false;
      }
      case 0x95: le(8); return false;  // FRAME
      case '.':  // STOP
        if (stack_.size() > floor()) summary_.value = stack_.back();
        return true;
      case '(': marks_.push_back(stack_.size()); return false;  // MARK
      case '1': popToMark(at); return false;                     // POP_MARK
      case '0': pop(at); return false;                           // POP
      case '2': {                                                 // DUP
        ValuePtr top = pop(at);
        push(top);
        push(top);
        return false;
      }
      case 'c': {  // GLOBAL
        std::string module = line();
        std::string name = line();
        global(module, name);
        return false;
      }
      case 'q': memoPut(le(1), at); return false;  // BINPUT
      case 'r': memoPut(le(4), at); return false;  // LONG_BINPUT
      case 0x94: memoPut(memo_.size(), at); return false;  // MEMOIZE
      case 'h': memoGet(le(1), at); return false;  // BINGET
      case 'j': memoGet(le(4), at); return false;  // LONG_BINGET
      case ')': pushTuple({}, at); return false;        // EMPTY_TUPLE
      case 't': pushTuple(popToMark(at), at); return false;  // TUPLE
      case 0x85: case 0x86: case 0x87: {  // TUPLE1..3
        const size_t n = op - 0x84u;
        std::vector<ValuePtr> items(n);
        for (size_t i = n; i-- > 0;) items[i] = pop(at);
        pushTuple(std::move(items), at);
        return false;
      }
      case ']': case '}': push(container(K::kOpaque)); return false;  // EMPTY_LIST, EMPTY_DICT
      case 'l': case 'd': pushContainer(K::kOpaque, popToMark(at), at); return false;  // LIST, DICT
      case 'a': case 'b': {  // APPEND; BUILD (the state goes into the object, which stays)
        const ValuePtr item = pop(at);
        contain(target(at), item, at);
        return false;
      }
      case 's': {  // SETITEM
        const ValuePtr value = pop(at);
        const ValuePtr key = pop(at);
        const ValuePtr& dict = target(at);
        contain(dict, key, at);
        contain(dict, value, at);
        return false;
      }
      case 'e': case 'u': {  // APPENDS, SETITEMS
        const std::vector<ValuePtr> items = popToMark(at);
        const ValuePtr& into = target(at);
        for (const auto& item : items) contain(into, item, at);
        return false;
      }
      case 'N': push(make(K::kNone)); return false;
      case 0x88: case 0x89: push(make(K::kBool)); return false;  // NEWTRUE, NEWFALSE
      case 'J': push(makeInt(static_cast<int32_t>(static_cast<uint32_t>(le(4))))); return false;  // BININT
      case 'K': push(makeInt(static_cast<int64_t>(le(1)))); return false;  // BININT1
      case 'M': push(makeInt(static_cast<int64_t>(le(2)))); return false;  // BININT2
      case 0x8a: {  // LONG1
        const uint8_t n = u8();
        if (n > 8) fail(fmt::format("pickle integer at byte {} is wider than 64 bits", at));
        uint64_t v = le(n);
        if (n > 0 && n < 8 && (v >> (8 * n - 1)) != 0) v |= ~uint64_t{0} << (8 * n);  // sign-extend
        push(makeInt(static_cast<int64_t>(v)));
        return false;
      }
      case 'G': le(8); push(make(K::kFloat)); return false;  // BINFLOAT
      case 'X': push(makeStr(bytes(le(4)))); return false;   // BINUNICODE
      case 0x8c: push(makeStr(bytes(le(1)))); return false;  // SHORT_BINUNICODE
      case 0x8d: push(makeStr(bytes(le(8)))); return false;  // BINUNICODE8
      case 'U': push(makeStr(bytes(le(1)))); return false;   // SHORT_BINSTRING
      case 'T': push(makeStr(bytes(le(4)))); return false;   // BINSTRING
      case 'B': push(makeStr(bytes(le(4)))); return false;   // BINBYTES
      case 'C': push(makeStr(bytes(le(1)))); return false;   // SHORT_BINBYTES
      case 'Q': persistentId(pop(at), at); return false;     // BINPERSID
      case 'R': reduce(at); return false;                    // REDUCE
      case 0x81: {                                            // NEWOBJ
        const ValuePtr args = pop(at);
        const ValuePtr cls = pop(at);
        if (cls->kind != K::kGlobal) fail(fmt::format("malformed pickle: NEWOBJ at byte {} of a non-class", at));
        pushContainer(K::kOpaque, {args}, at);
        return false;
      }
      default:
        fail(fmt::format("pickle opcode 0x{:02x} at byte {} is not one TorchScript writes", op, at));
    }
  }

  std::string_view in_;
  size_t pos_ = 0;
  std::vector<ValuePtr> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, ValuePtr> memo_;
  std::vector<Node> nodes_;
  std::map<std::string, size_t> by_key_;
  PickleSummary summary_;
};

}  // namespace

bool storageTypeInfo(std::string_view name, std::string* dtype, uint64_t* element_size) {
  if (!startsWith(name, "torch.")) return false;
  name.remove_prefix(6);
  for (const auto& type : kStorageTypes) {
    if (name == type.name) {
      *dtype = type.dtype;
      *element_size = type.size;
      return true;
    }
  }
  return false;
}

PickleSummary scanPickle(std::string_view bytes) { return Scanner(bytes).run(); }

}  // namespace jitscope
