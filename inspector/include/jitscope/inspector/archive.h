// What a model file is, decided from its bytes before LibTorch sees it.
//
// inspectArchive() is the gate every subcommand passes: it names the file's
// real kind (TorchScript, torch.save, ONNX, not a model) and reads the
// archive's metadata without deserializing anything. Anything that is not a
// TorchScript archive becomes an InputError with a hint for the fix.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "jitscope/inspector/pickle_scan.h"

namespace jitscope {

struct ArchiveInfo {
  std::string path;
  uint64_t file_size = 0;
  /// Folder every record lives in ("traced", "archive", ...).
  std::string prefix;
  /// From the `.data/version` record when present, else `version`.
  uint64_t format_version = 0;
  /// The version range the linked LibTorch reads.
  uint64_t min_supported_version = 0;
  uint64_t max_supported_version = 0;
  /// The lite-interpreter bytecode versions its mobile loader reads.
  uint64_t min_supported_bytecode = 0;
  uint64_t max_supported_bytecode = 0;
  /// Writer details where the archive records them (byte order, a
  /// serialization id); empty strings when absent.
  std::string byte_order;
  std::string serialization_id;

  size_t record_count = 0;
  size_t code_files = 0;     ///< code/**.py: the TorchScript sources
  size_t debug_files = 0;    ///< code/**.debug_pkl: original source ranges
  size_t tensor_records = 0; ///< data/N: tensor storages
  uint64_t tensor_bytes = 0;
  size_t constant_records = 0; ///< constants/N: tensors baked into code
  uint64_t constant_bytes = 0;
  /// torch >= 2.x's trace stores its example inputs (traced_inputs.pkl and
  /// traced_inputs/N): evidence of tracing, and inputs to run the model on.
  bool has_traced_inputs = false;
  size_t traced_input_records = 0;
  /// `_save_for_lite_interpreter` wrote a bytecode.pkl (mobile_bytecode.h).
  bool has_bytecode = false;
  /// Storages of data.pkl: parameters and buffers, with the device they
  /// were saved from ("cuda:0" needs a CUDA LibTorch or a map_location).
  std::vector<DeclaredStorage> data_storages;
  /// Storages of constants.pkl: the tensors baked into code (CONSTANTS.cN),
  /// with the dtype and device they were saved with.
  std::vector<DeclaredStorage> constant_storages;
  std::vector<std::string> extra_files;  ///< names under extra/
  /// [begin, end) byte ranges of the stored tensor records (data/N), in
  /// file order: what loading without tensor data skips.
  std::vector<std::pair<uint64_t, uint64_t>> tensor_data_ranges;

  bool hasDebugInfo() const { return debug_files > 0; }
  /// True when the linked LibTorch reads this format version.
  bool formatReadable() const {
    return format_version >= min_supported_version && format_version <= max_supported_version;
  }
  /// True when records written only by PyTorch 2.x writers are present.
  bool writtenByTorch2() const {
    return !byte_order.empty() || !serialization_id.empty();
  }
};

/// The largest record the gate lets through inflated (code is deflated in a
/// repacked archive; torch.jit.save stores everything else as it is).
constexpr uint64_t kMaxInflatedRecord = uint64_t{64} << 20;

/// Whether the gate refuses a format version the linked LibTorch cannot read.
enum class FormatVersion {
  kMustBeReadable,  ///< every command that loads the model
  kAnyVersion,      ///< reading what the archive needs (`compat`, requirements): a newer file is data
};

/// Validates that `path` is a TorchScript archive and reads its metadata.
/// Throws InputError with a one-line diagnosis (and fix) otherwise.
ArchiveInfo inspectArchive(const std::string& path, FormatVersion version = FormatVersion::kMustBeReadable);

/// Validates a torch.save zip file (example inputs) as inspectArchive
/// validates a model's tensors: record names, compression, layout, and
/// data.pkl's globals and storage sizes. A file that is not a zip is left to
/// LibTorch's restricted unpickler (the legacy format). Throws InputError.
void checkTensorFile(const std::string& path);

}  // namespace jitscope
