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

struct PickleSummary {
  std::vector<DeclaredStorage> storages;  ///< one per distinct key
  std::vector<DeclaredTensor> tensors;
  std::vector<std::string> globals;  ///< "module.name" of every GLOBAL, deduplicated
};

/// Scans `bytes`; throws PickleRejected on a malformed pickle, an unknown
/// global (`os.system`, `builtins.eval`: never executed, refused), an
/// unknown storage type, or a tensor whose shape overflows or does not fit
/// its storage.
PickleSummary scanPickle(std::string_view bytes);

/// "torch.FloatStorage" -> {"float32", 4}; false for unknown names.
bool storageTypeInfo(std::string_view name, std::string* dtype, uint64_t* element_size);

}  // namespace jitscope
