#include "jitscope/inspector/zip_directory.h"

#include <algorithm>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

#include "jitscope/core/errors.h"

namespace jitscope {
namespace {

constexpr uint32_t kEndOfDirectorySig = 0x06054b50;
constexpr uint32_t kZip64EndOfDirectorySig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr uint32_t kDirectoryEntrySig = 0x02014b50;
constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr size_t kEndOfDirectorySize = 22;
constexpr size_t kDirectoryEntrySize = 46;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kMaxCommentSize = 0xffff;

uint16_t le16(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>(u[0] | (u[1] << 8));
}
uint32_t le32(const char* p) {
  return le16(p) | (static_cast<uint32_t>(le16(p + 2)) << 16);
}
uint64_t le64(const char* p) {
  return le32(p) | (static_cast<uint64_t>(le32(p + 4)) << 32);
}

std::string readAt(std::ifstream& in, uint64_t offset, size_t size) {
  std::string buffer(size, '\0');
  in.clear();
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(buffer.data(), static_cast<std::streamsize>(size));
  buffer.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return buffer;
}

// Small reads at scattered offsets (local headers, pickles): pread on a raw
// descriptor, not an ifstream, which fills an 8 KiB buffer after each seek
// and would make the gate read ~8 KiB per record of a 250-record model.
std::string preadAt(const std::string& path, uint64_t offset, size_t size) {
  std::string buffer(size, '\0');
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, buffer.data() + done, size - done, static_cast<off_t>(offset + done));
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  buffer.resize(done);
  return buffer;
}

// Sizes and offsets that do not fit 32 bits live in the zip64 extra field,
// in this order, present only for the fields saturated in the main header.
void applyZip64Extra(std::string_view extra, ZipEntry& entry,
                     bool need_usize, bool need_csize, bool need_offset) {
  size_t pos = 0;
  while (pos + 4 <= extra.size()) {
    const uint16_t id = le16(extra.data() + pos);
    const uint16_t size = le16(extra.data() + pos + 2);
    const size_t body = pos + 4;
    if (body + size > extra.size()) return;
    if (id == 0x0001) {
      size_t field = body;
      auto next = [&](uint64_t& out) {
        if (field + 8 <= body + size) {
          out = le64(extra.data() + field);
          field += 8;
        }
      };
      if (need_usize) next(entry.uncompressed_size);
      if (need_csize) next(entry.compressed_size);
      if (need_offset) next(entry.local_header_offset);
      return;
    }
    pos = body + size;
  }
}

}  // namespace

std::optional<ZipDirectory> ZipDirectory::read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot open file");
  in.seekg(0, std::ios::end);
  const uint64_t file_size = static_cast<uint64_t>(in.tellg());
  if (file_size < kEndOfDirectorySize) return std::nullopt;

  // The end-of-directory record sits in the last 22 bytes plus a comment.
  const uint64_t tail_size =
      std::min<uint64_t>(file_size, kEndOfDirectorySize + kMaxCommentSize);
  const std::string tail = readAt(in, file_size - tail_size, tail_size);
  size_t eocd = std::string::npos;
  for (size_t i = tail.size() - kEndOfDirectorySize + 1; i-- > 0;) {
    if (le32(tail.data() + i) == kEndOfDirectorySig) {
      eocd = i;
      break;
    }
  }
  const bool starts_like_zip =
      readAt(in, 0, 4) == std::string("PK\x03\x04", 4);
  if (eocd == std::string::npos) {
    if (starts_like_zip) {
      throw InputError(path,
                       "truncated or corrupt zip archive (no end-of-directory "
                       "record): the file was cut short; export it again");
    }
    return std::nullopt;
  }

  const char* e = tail.data() + eocd;
  uint64_t entry_count = le16(e + 10);
  uint64_t dir_size = le32(e + 12);
  uint64_t dir_offset = le32(e + 16);
  const uint64_t eocd_offset = file_size - tail_size + eocd;

  if (entry_count == 0xffff || dir_size == 0xffffffff ||
      dir_offset == 0xffffffff) {
    if (eocd_offset < 20) {
      throw InputError(path, "corrupt zip64 archive: no zip64 locator");
    }
    const std::string locator = readAt(in, eocd_offset - 20, 20);
    if (locator.size() != 20 || le32(locator.data()) != kZip64LocatorSig) {
      throw InputError(path, "corrupt zip64 archive: no zip64 locator");
    }
    const uint64_t z64_offset = le64(locator.data() + 8);
    const std::string z64 = readAt(in, z64_offset, 56);
    if (z64.size() != 56 || le32(z64.data()) != kZip64EndOfDirectorySig) {
      throw InputError(path, "corrupt zip64 archive: bad zip64 directory end");
    }
    entry_count = le64(z64.data() + 32);
    dir_size = le64(z64.data() + 40);
    dir_offset = le64(z64.data() + 48);
  }

  if (dir_offset > file_size || dir_size > file_size - dir_offset ||
      entry_count > dir_size / kDirectoryEntrySize) {
    throw InputError(path,
                     "corrupt zip archive: the directory points outside the "
                     "file (truncated or damaged); export it again");
  }

  ZipDirectory result;
  result.path_ = path;
  result.file_size_ = file_size;
  result.entries_.reserve(entry_count);
  const std::string dir = readAt(in, dir_offset, dir_size);
  size_t pos = 0;
  for (uint64_t i = 0; i < entry_count; ++i) {
    if (pos + kDirectoryEntrySize > dir.size() ||
        le32(dir.data() + pos) != kDirectoryEntrySig) {
      throw InputError(path, "corrupt zip archive: damaged directory entry " +
                                 std::to_string(i));
    }
    const char* h = dir.data() + pos;
    ZipEntry entry;
    entry.method = le16(h + 10);
    entry.compressed_size = le32(h + 20);
    entry.uncompressed_size = le32(h + 24);
    const uint16_t name_len = le16(h + 28);
    const uint16_t extra_len = le16(h + 30);
    const uint16_t comment_len = le16(h + 32);
    entry.local_header_offset = le32(h + 42);
    if (pos + kDirectoryEntrySize + name_len + extra_len + comment_len >
        dir.size()) {
      throw InputError(path, "corrupt zip archive: damaged directory entry " +
                                 std::to_string(i));
    }
    entry.name.assign(h + kDirectoryEntrySize, name_len);
    applyZip64Extra(std::string_view(h + kDirectoryEntrySize + name_len,
                                     extra_len),
                    entry, entry.uncompressed_size == 0xffffffff,
                    entry.compressed_size == 0xffffffff,
                    entry.local_header_offset == 0xffffffff);
    if (entry.local_header_offset > dir_offset ||
        entry.compressed_size > dir_offset - entry.local_header_offset) {
      throw InputError(path, "corrupt zip archive: record '" + entry.name +
                                 "' lies outside the file's data");
    }
    result.entries_.push_back(std::move(entry));
    pos += kDirectoryEntrySize + name_len + extra_len + comment_len;
  }
  return result;
}

const ZipEntry* ZipDirectory::find(std::string_view name) const {
  for (const auto& entry : entries_) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

uint64_t ZipDirectory::dataOffset(const ZipEntry& entry) const {
  const std::string header = preadAt(path_, entry.local_header_offset, kLocalHeaderSize);
  if (header.size() != kLocalHeaderSize ||
      le32(header.data()) != kLocalHeaderSig) {
    throw InputError(path_, "corrupt zip archive: record '" + entry.name +
                                "' has no local header");
  }
  // Local extra fields differ from the directory's: torch pads them so
  // tensor data is 64-byte aligned.
  const uint64_t data_offset = entry.local_header_offset + kLocalHeaderSize +
                               le16(header.data() + 26) +
                               le16(header.data() + 28);
  const uint64_t stored_size =
      entry.method == 0 ? entry.uncompressed_size : entry.compressed_size;
  if (data_offset > file_size_ || stored_size > file_size_ - data_offset) {
    throw InputError(path_, "corrupt zip archive: record '" + entry.name +
                                "' extends past the end of the file");
  }
  return data_offset;
}

std::optional<std::string> ZipDirectory::readSmallRecord(
    const ZipEntry& entry, size_t max_bytes) const {
  if (entry.method != 0 || entry.uncompressed_size > max_bytes) {
    return std::nullopt;
  }
  std::string data = preadAt(path_, dataOffset(entry), entry.uncompressed_size);
  if (data.size() != entry.uncompressed_size) {
    throw InputError(path_, "cannot read record '" + entry.name + "'");
  }
  return data;
}

}  // namespace jitscope
