#include "jitscope/inspector/code_records.h"

#include <caffe2/serialize/inline_container.h>

#include <memory>
#include <optional>

#include <fmt/format.h>

#include "jitscope/core/errors.h"
#include "jitscope/inspector/code_depth.h"
#include "jitscope/inspector/pickle_scan.h"
#include "jitscope/inspector/zip_directory.h"

namespace jitscope {

namespace {

bool endsWith(std::string_view name, std::string_view suffix) {
  return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool isCodeRecord(std::string_view name) { return name.rfind("code/", 0) == 0 && endsWith(name, ".py"); }
bool isDebugRecord(std::string_view name) { return name.rfind("code/", 0) == 0 && endsWith(name, ".debug_pkl"); }

// A record's bytes: stored ones through jitscope's zip reader (any format
// version), a compressed one through LibTorch's reader.
class RecordBytes {
 public:
  explicit RecordBytes(const ArchiveInfo& archive) : archive_(archive), zip_(ZipDirectory::read(archive.path)) {
    if (!zip_) throw InputError(archive.path, "not a zip archive any more; was it replaced while being read?");
  }
  const ZipDirectory& zip() const { return *zip_; }

  std::string read(const ZipEntry& entry, const std::string& name) {
    if (auto bytes = zip_->readSmallRecord(entry, kMaxInflatedRecord)) return std::move(*bytes);
    if (!archive_.formatReadable()) {
      throw InputError(archive_.path, fmt::format("record '{}' is compressed and the archive's format version {} "
                                                  "is one this LibTorch does not read; re-export the model",
                                                  entry.name, archive_.format_version));
    }
    if (entry.uncompressed_size > kMaxInflatedRecord) {
      throw InputError(archive_.path, fmt::format("record '{}' inflates to {} bytes, more than any model's code; "
                                                  "the file was crafted or damaged",
                                                  entry.name, entry.uncompressed_size));
    }
    if (!torch_reader_) torch_reader_ = std::make_unique<caffe2::serialize::PyTorchStreamReader>(archive_.path);
    auto [data, size] = torch_reader_->getRecord(name);
    return std::string(static_cast<const char*>(data.get()), size);
  }

 private:
  const ArchiveInfo& archive_;
  std::optional<ZipDirectory> zip_;
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> torch_reader_;
};

// Visits the records below the archive's folder whose names `want` picks,
// inflated (the gate has bounded their inflated size).
void forEachRecord(const ArchiveInfo& archive, bool (*want)(std::string_view),
                   const std::function<void(const std::string& entry, const std::string& name,
                                            const std::string& bytes)>& visit) {
  RecordBytes records(archive);
  const std::string root = archive.prefix + "/";
  for (const auto& entry : records.zip().entries()) {
    if (entry.name.rfind(root, 0) != 0) continue;
    const std::string name = entry.name.substr(root.size());
    if (!want(name)) continue;
    visit(entry.name, name, records.read(entry, name));
  }
}

}  // namespace

void forEachCodeRecord(const ArchiveInfo& archive, const std::function<void(const CodeRecord&)>& visit) {
  forEachRecord(archive, isCodeRecord, [&](const std::string& entry, const std::string& name,
                                           const std::string& bytes) {
    // LibTorch's compiler (and its parser, which jitscope uses to read the
    // records) recurses on bracket nesting and operator chains and would
    // crash on a record deep enough: bound it before anything parses it.
    if (const auto why = findExcessiveDepth(bytes)) {
      if (why->find("quadratic") != std::string::npos) {  // a literal table PythonPrint can write: say what helps
        throw InputError(archive.path, fmt::format("record '{}': {}; keep a table that large in a tensor attribute "
                                                   "or buffer instead of the code, and re-export the model",
                                                   entry, *why));
      }
      const bool exponential = why->find("exponential") != std::string::npos;
      throw InputError(archive.path, fmt::format("record '{}': {}; {}, so the file was crafted or generated badly; "
                                                 "re-export the model",
                                                 entry, *why,
                                                 exponential ? "printed TorchScript never holds one"
                                                             : "LibTorch's compiler would run out of stack on it"));
    }
    visit(CodeRecord{name, bytes});
  });
}

void checkDebugRecords(const ArchiveInfo& archive) {
  forEachRecord(archive, isDebugRecord, [&](const std::string& entry, const std::string&, const std::string& bytes) {
    try {
      scanPickle(bytes);
    } catch (const PickleRejected& e) {
      const std::string why = e.what();
      throw InputError(archive.path,
                       fmt::format("record '{}': {}{}", entry, why,
                                   why.find("re-export") == std::string::npos
                                       ? "; the model's source ranges are damaged: re-export it"
                                       : ""));
    }
  });
}

std::optional<std::string> readArchiveRecord(const ArchiveInfo& archive, const std::string& name) {
  RecordBytes records(archive);
  const ZipEntry* entry = records.zip().find(archive.prefix + "/" + name);
  if (!entry) return std::nullopt;
  return records.read(*entry, name);
}

}  // namespace jitscope
