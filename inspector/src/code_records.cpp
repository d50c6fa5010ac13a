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

// Visits the records below the archive's folder whose names `want` picks,
// inflated (the gate has bounded their inflated size).
void forEachRecord(const ArchiveInfo& archive, bool (*want)(std::string_view),
                   const std::function<void(const std::string& entry, const std::string& name,
                                            const std::string& bytes)>& visit) {
  const auto zip = ZipDirectory::read(archive.path);
  if (!zip) throw InputError(archive.path, "not a zip archive any more; was it replaced while being read?");
  const std::string root = archive.prefix + "/";
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> torch_reader;  // for compressed records only
  for (const auto& entry : zip->entries()) {
    if (entry.name.rfind(root, 0) != 0) continue;
    const std::string name = entry.name.substr(root.size());
    if (!want(name)) continue;
    std::optional<std::string> bytes = zip->readSmallRecord(entry, kMaxInflatedRecord);
    if (!bytes) {
      if (!archive.formatReadable()) {
        throw InputError(archive.path, fmt::format("record '{}' is compressed and the archive's format version {} "
                                                   "is one this LibTorch does not read; re-export the model",
                                                   entry.name, archive.format_version));
      }
      if (!torch_reader) torch_reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(archive.path);
      auto [data, size] = torch_reader->getRecord(name);
      bytes.emplace(static_cast<const char*>(data.get()), size);
    }
    visit(entry.name, name, *bytes);
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
      throw InputError(archive.path, fmt::format("record '{}': {}; LibTorch's compiler would run out of stack on "
                                                 "it, so the file was crafted or generated badly; re-export the model",
                                                 entry, *why));
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

}  // namespace jitscope
