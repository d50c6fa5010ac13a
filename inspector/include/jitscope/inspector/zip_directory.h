// A reader for a zip file's central directory, independent of LibTorch.
//
// Why our own: we must decide what a file is (TorchScript, torch.save, ONNX,
// garbage) and whether its records fit inside it before handing it to
// torch::jit::load, which was not written for hostile or broken input. It
// also lets `info` report record sizes without reading tensor data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jitscope {

struct ZipEntry {
  std::string name;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;
  uint16_t method = 0;  ///< 0 stored, 8 deflated
};

/// The central directory of one zip file. Zip64 is supported (archives over
/// 4 GiB, or with over 65535 records, which large models produce).
class ZipDirectory {
 public:
  /// Reads and validates the directory of the file at `path`. Returns
  /// nullopt when the file does not end in a zip directory at all;
  /// throws InputError when it looks like a zip but is truncated or corrupt.
  static std::optional<ZipDirectory> read(const std::string& path);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* find(std::string_view name) const;

  /// Bytes of a stored (uncompressed) record of at most `max_bytes`;
  /// nullopt for compressed or larger records. Throws InputError when the
  /// record's bytes lie outside the file.
  std::optional<std::string> readSmallRecord(const ZipEntry& entry,
                                             size_t max_bytes) const;

  /// Offset of the record's first byte in the file (after its local header,
  /// whose extra field torch uses for alignment padding). Throws InputError
  /// when the record lies outside the file.
  uint64_t dataOffset(const ZipEntry& entry) const;

 private:
  std::string path_;
  uint64_t file_size_ = 0;
  std::vector<ZipEntry> entries_;
};

}  // namespace jitscope
