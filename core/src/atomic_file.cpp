#include "jitscope/core/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jitscope/core/cleanup.h"
#include "jitscope/core/errors.h"

namespace jitscope {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  std::string pattern = path_ + ".jitscope-tmp-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  fd_ = ::mkstemp(buffer.data());
  if (fd_ < 0) {
    const int error = errno;
    // The usual cause: -o into a folder that does not exist yet (a fresh
    // checkout without snapshots/); name it and the fix.
    const size_t slash = path_.find_last_of('/');
    if (error == ENOENT && slash != std::string::npos && slash > 0) {
      const std::string folder = path_.substr(0, slash);
      struct stat info {};
      if (::stat(folder.c_str(), &info) != 0) {
        throw InputError(path_, "cannot create output file: the folder '" + folder +
                                    "' does not exist; create it first (mkdir -p '" + folder + "')");
      }
    }
    throw InputError(path_, std::string("cannot create output file: ") + std::strerror(error));
  }
  temp_path_ = buffer.data();
  cleanup_slot_ = cleanup::track(temp_path_.c_str());
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
  cleanup::release(cleanup_slot_);
}

void AtomicFile::write(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw InputError(path_, std::string("cannot write output file: ") +
                                  std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void AtomicFile::commit() {
  // mkstemp creates 0600; outputs should get the usual umask-based mode.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd_, 0666 & ~mask);
  if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
    fd_ = -1;
    throw InputError(path_, std::string("cannot write output file: ") +
                                std::strerror(errno));
  }
  fd_ = -1;
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    throw InputError(path_, std::string("cannot replace output file: ") +
                                std::strerror(errno));
  }
  committed_ = true;
  cleanup::release(cleanup_slot_);
  cleanup_slot_ = -1;
}

void writeFileAtomically(const std::string& path, std::string_view data) {
  AtomicFile file(path);
  file.write(data);
  file.commit();
}

}  // namespace jitscope
