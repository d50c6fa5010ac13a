#include "jitscope/inspector/zip_directory.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include <unistd.h>

#include "fixtures.h"
#include "jitscope/core/errors.h"

namespace jitscope {
namespace {

// Builds a zip of stored records, as torch's writer does (without the
// alignment padding), so the tests control every byte.
class ZipBuilder {
 public:
  void add(const std::string& name, const std::string& data) {
    const uint32_t offset = static_cast<uint32_t>(body_.size());
    put32(body_, 0x04034b50);
    put16(body_, 20); put16(body_, 0); put16(body_, 0);  // version, flags, method
    put16(body_, 0); put16(body_, 0); put32(body_, 0);   // time, date, crc
    put32(body_, static_cast<uint32_t>(data.size()));
    put32(body_, static_cast<uint32_t>(data.size()));
    put16(body_, static_cast<uint16_t>(name.size())); put16(body_, 0);
    body_ += name + data;

    put32(directory_, 0x02014b50);
    put16(directory_, 20); put16(directory_, 20); put16(directory_, 0); put16(directory_, 0);
    put16(directory_, 0); put16(directory_, 0); put32(directory_, 0);
    put32(directory_, static_cast<uint32_t>(data.size()));
    put32(directory_, static_cast<uint32_t>(data.size()));
    put16(directory_, static_cast<uint16_t>(name.size()));
    put16(directory_, 0); put16(directory_, 0); put16(directory_, 0); put16(directory_, 0);
    put32(directory_, 0); put32(directory_, offset);
    directory_ += name;
    ++count_;
  }

  std::string bytes() const {
    std::string out = body_ + directory_;
    put32(out, 0x06054b50);
    put16(out, 0); put16(out, 0); put16(out, count_); put16(out, count_);
    put32(out, static_cast<uint32_t>(directory_.size()));
    put32(out, static_cast<uint32_t>(body_.size()));
    put16(out, 0);
    return out;
  }

 private:
  static void put16(std::string& s, uint16_t v) {
    s += static_cast<char>(v & 0xff);
    s += static_cast<char>(v >> 8);
  }
  static void put32(std::string& s, uint32_t v) {
    put16(s, static_cast<uint16_t>(v & 0xffff));
    put16(s, static_cast<uint16_t>(v >> 16));
  }
  std::string body_;
  std::string directory_;
  uint16_t count_ = 0;
};

std::string writeTemp(const std::string& bytes) {
  char name[] = "/tmp/jitscope-zip-test-XXXXXX";
  const int fd = ::mkstemp(name);
  ::close(fd);
  std::ofstream(name, std::ios::binary) << bytes;
  return name;
}

TEST(ZipDirectory, ListsRecordsAndReadsStoredOnes) {
  ZipBuilder zip;
  zip.add("archive/version", "3\n");
  zip.add("archive/data/0", std::string(100, 'x'));
  const std::string path = writeTemp(zip.bytes());
  const auto dir = ZipDirectory::read(path);
  ASSERT_TRUE(dir.has_value());
  ASSERT_EQ(dir->entries().size(), 2u);
  EXPECT_EQ(dir->entries()[1].name, "archive/data/0");
  EXPECT_EQ(dir->entries()[1].uncompressed_size, 100u);
  EXPECT_EQ(dir->readSmallRecord(*dir->find("archive/version"), 16), "3\n");
  // Over the caller's limit: not read at all.
  EXPECT_EQ(dir->readSmallRecord(*dir->find("archive/data/0"), 16), std::nullopt);
  std::remove(path.c_str());
}

TEST(ZipDirectory, NonZipIsNotAnError) {
  const std::string path = writeTemp(std::string(4096, '\x42'));
  EXPECT_EQ(ZipDirectory::read(path), std::nullopt);
  std::remove(path.c_str());
}

TEST(ZipDirectory, TruncatedZipIsDiagnosed) {
  ZipBuilder zip;
  zip.add("archive/version", "3\n");
  const std::string bytes = zip.bytes();
  const std::string path = writeTemp(bytes.substr(0, bytes.size() / 2));
  try {
    ZipDirectory::read(path);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(e.problem().find("truncated"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

TEST(ZipDirectory, DirectoryPointingPastTheDataIsDiagnosed) {
  ZipBuilder zip;
  zip.add("archive/data/0", std::string(64, 'x'));
  std::string bytes = zip.bytes();
  // Claim the record is far larger than the file (a shortened tensor record).
  const size_t directory = bytes.find(std::string("PK\x01\x02", 4));
  bytes[directory + 20] = '\xff';
  bytes[directory + 21] = '\xff';
  const std::string path = writeTemp(bytes);
  EXPECT_THROW(ZipDirectory::read(path), InputError);
  std::remove(path.c_str());
}

TEST(ZipDirectory, ReadsARealTorchArchive) {
  const auto dir = ZipDirectory::read(testing::fixture("my_cell.traced.pt"));
  ASSERT_TRUE(dir.has_value());
  bool has_code = false;
  for (const auto& entry : dir->entries()) {
    has_code = has_code || entry.name.find("/code/") != std::string::npos;
  }
  EXPECT_TRUE(has_code);
}

}  // namespace
}  // namespace jitscope

namespace jitscope {
namespace {

// Regression (found by fuzz/fuzz_archive.cpp): a record name holding
// newlines made the "one line" error span three lines.
TEST(InputError, IsOneLineWhateverTheFileSays) {
  const InputError error("m\n.pt", "record 'a\nb\x1b[31m' lies outside the file's data");
  EXPECT_EQ(std::string(error.what()), "'m\\x0a.pt': record 'a\\x0ab\\x1b[31m' lies outside the file's data");
}

}  // namespace
}  // namespace jitscope
