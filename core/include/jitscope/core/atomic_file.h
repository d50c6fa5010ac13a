// Output files are written whole or not at all: content goes to a temporary
// file beside the target, which is renamed over it only on commit(). A run
// that fails or is interrupted (SIGINT, SIGTERM, SIGHUP: see cleanup.h)
// leaves no half-written output and no temporary file behind.
#pragma once

#include <string>
#include <string_view>

namespace jitscope {

class AtomicFile {
 public:
  /// Opens "<path>.jitscope-tmp-XXXXXX" beside `path`; throws InputError
  /// naming `path` when the folder is not writable.
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view data);
  /// Flushes, syncs and renames the temporary file over the target.
  void commit();

  const std::string& tempPath() const { return temp_path_; }

 private:
  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  bool committed_ = false;
  int cleanup_slot_ = -1;  ///< in the interrupt cleanup table
};

/// Convenience: writes all of `data` to `path` atomically.
void writeFileAtomically(const std::string& path, std::string_view data);

}  // namespace jitscope
