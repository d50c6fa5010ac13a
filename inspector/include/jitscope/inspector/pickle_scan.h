// A validating scan of a TorchScript pickle (data.pkl, constants.pkl), run
// by the archive gate before LibTorch's Unpickler sees the bytes.
//
// Note [Why scan pickles ourselves]
// LibTorch's Unpickler runs no Python, so a pickle cannot execute code in
// jitscope; but it trusts what the pickle declares. A storage declared as
// 1024 floats backed by a 120-byte record is read past its end (garbage
// weights, or a crash), and a shape whose product overflows is allocated
// as asked. This scanner interprets the opcodes without building anything:
// it accepts only the globals a TorchScript archive contains, and returns
// every storage the pickle declares and every tensor view over one, so the
// gate can compare them with the zip directory without reading tensor
// bytes. Its memory is bounded by the pickle's size.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace jitscope {

/// A pickle that is malformed or asks for something a TorchScript archive
/// never contains. what() is one line without the file name.
class PickleRejected : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One persistent id ('storage', torch.<T>Storage, key, location, numel).
struct DeclaredStorage {
  std::string key;        ///< record name under the tensor folder: "3"
  std::string dtype;      ///< "float32"
  std::string location;   ///< where it was saved from: "cpu", "cuda:0" (as the pickle says; unchecked)
  uint64_t element_size;  ///< bytes per element
  uint64_t numel;         ///< elements the pickle says the record holds
  uint64_t bytes() const { return element_size * numel; }  ///< checked: no overflow
};

/// One tensor rebuilt over a storage (torch._utils._rebuild_tensor_v2).
struct DeclaredTensor {
  size_t storage;  ///< index into PickleSummary::storages
  uint64_t offset = 0;
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;
};

/// A value as the scan sees it: tuples keep their items, strings and
/// integers their values; lists, dicts, objects, floats and tensors are
/// leaves of their kind. Values shared through the pickle's memo are shared
/// here too, so the tree costs no more than the pickle.
struct PickleValue {
  enum class Kind { kNone, kBool, kInt, kFloat, kStr, kTuple, kOpaque, kGlobal, kStorage, kTensor };
  Kind kind = Kind::kNone;
  int64_t number = 0;  ///< kInt value, kStorage index into PickleSummary::storages
  std::string text;    ///< kStr contents, kGlobal "module.name"
  std::vector<std::shared_ptr<const PickleValue>> items;  ///< kTuple
  int64_t node = -1;   ///< the scanner's own bookkeeping (nesting depth); not for callers
};

struct PickleSummary {
  std::vector<DeclaredStorage> storages;  ///< one per distinct key
  std::vector<DeclaredTensor> tensors;
  std::vector<std::string> globals;  ///< "module.name" of every GLOBAL, deduplicated
  /// What the pickle returns (the stack top at STOP); null for an empty stack.
  std::shared_ptr<const PickleValue> value;
};

/// Scans `bytes`; throws PickleRejected on a malformed pickle, an unknown
/// global (`os.system`, `builtins.eval`: never executed, refused), an
/// unknown storage type, or a tensor whose shape overflows or does not fit
/// its storage.
PickleSummary scanPickle(std::string_view bytes);

/// "torch.FloatStorage" -> {"float32", 4}; false for unknown names.
bool storageTypeInfo(std::string_view name, std::string* dtype, uint64_t* element_size);

}  // namespace jitscope
