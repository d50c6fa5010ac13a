#include "jitscope/inspector/archive.h"

#include <caffe2/serialize/versions.h>

#include <algorithm>
#include <fstream>
#include <string_view>
#include <sys/stat.h>

#include <fmt/format.h>

#include "jitscope/core/errors.h"
#include "jitscope/inspector/pickle_scan.h"
#include "jitscope/inspector/zip_directory.h"

namespace jitscope {
namespace {

constexpr std::string_view kScriptHint =
    "save a TorchScript module instead: torch.jit.script(model).save(path) "
    "or torch.jit.trace(model, example_inputs).save(path)";

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.substr(s.size() - suffix.size()) == suffix;
}

std::string readHead(const std::string& path, size_t size) {
  std::ifstream in(path, std::ios::binary);
  std::string head(size, '\0');
  in.read(head.data(), static_cast<std::streamsize>(size));
  head.resize(static_cast<size_t>(in.gcount()));
  return head;
}

// ONNX files are protobuf ModelProto messages: field 1 (ir_version, varint)
// comes first, and exporters record their producer name near the start.
bool looksLikeOnnx(const std::string& head) {
  if (head.empty() || head[0] != '\x08') return false;
  return head.find("onnx") != std::string::npos ||
         head.find("pytorch") != std::string::npos ||
         head.find("tf2onnx") != std::string::npos;
}

// A pickle opened by torch.save names its first class with a GLOBAL opcode
// ('c' module '\n' name '\n'); that tells a state_dict from a tensor from a
// pickled Python module without unpickling anything.
std::string describePickledObject(const std::string& pickle) {
  const auto global = pickle.find('c', 2);
  if (global == std::string::npos || global > 8) return "pickled data";
  const auto nl1 = pickle.find('\n', global);
  const auto nl2 = nl1 == std::string::npos ? nl1 : pickle.find('\n', nl1 + 1);
  if (nl2 == std::string::npos) return "pickled data";
  const std::string module = pickle.substr(global + 1, nl1 - global - 1);
  const std::string name = pickle.substr(nl1 + 1, nl2 - nl1 - 1);
  if (module == "collections" && name == "OrderedDict") {
    return "a state_dict (parameters only, no code)";
  }
  if (module == "torch._utils" && startsWith(name, "_rebuild_tensor")) {
    return "a tensor";
  }
  if (module == "builtins" || module.empty()) return "pickled Python data";
  return "a pickled Python object of class '" + module + "." + name +
         "' (torch.save(model) keeps no TorchScript code)";
}

[[noreturn]] void rejectNonZip(const std::string& path,
                               const std::string& head) {
  if (looksLikeOnnx(head) || endsWith(path, ".onnx")) {
    throw InputError(path,
                     "this is an ONNX model, not TorchScript: jitscope reads "
                     "files written by torch.jit.save; " +
                         std::string(kScriptHint));
  }
  // A FlatBuffer lite-interpreter file (`_save_for_lite_interpreter(...,
  // _use_flatbuffer=True)`, bytecode 9): its file identifier "PTMF" follows
  // the 4-byte root offset (torch/csrc/jit/serialization/mobile_bytecode.fbs).
  if (head.size() >= 8 && head.compare(4, 4, "PTMF") == 0) {
    throw InputError(path,
                     "this is a lite-interpreter FlatBuffer file (bytecode 9), which jitscope does not read; "
                     "save the zip format instead: model._save_for_lite_interpreter(path) without "
                     "_use_flatbuffer, or torch.jit.save(model, path)");
  }
  if (!head.empty() && static_cast<unsigned char>(head[0]) == 0x80) {
    throw InputError(path,
                     "this is a legacy torch.save pickle, not TorchScript; " +
                         std::string(kScriptHint));
  }
  throw InputError(path,
                   "not a TorchScript archive (not a zip file); expected a "
                   "file written by torch.jit.save");
}

// Records whose bytes LibTorch takes as they are (tensor storages and the
// pickles) must be stored uncompressed, as torch.jit.save writes them; code
// is deflated, within bounds that rule out zip bombs.
constexpr uint64_t kMaxDeflateRatio = 1100;  // deflate's own limit is about 1032:1
constexpr size_t kMaxPickleBytes = size_t{256} << 20;

bool isPickle(std::string_view name) {
  return name == "data.pkl" || name == "constants.pkl" || name == "traced_inputs.pkl" || name == "bytecode.pkl";
}

// Names a hostile writer could use to confuse a reader that extracts, or to
// shadow a record: empty parts, "..", backslashes, control characters.
void checkRecordName(const std::string& path, const std::string& name) {
  bool bad = name.empty() || name.front() == '/' || name.back() == '/' ||
             name.find("//") != std::string::npos;
  for (const unsigned char c : name) bad = bad || c < 0x20 || c == 0x7f || c == '\\';
  size_t begin = 0;
  while (!bad && begin <= name.size()) {
    size_t end = name.find('/', begin);
    if (end == std::string::npos) end = name.size();
    const std::string_view part(name.data() + begin, end - begin);
    bad = part == "." || part == "..";
    begin = end + 1;
  }
  if (bad) {
    throw InputError(path, fmt::format("record name '{}' is not a plain relative path; the archive was "
                                       "crafted or damaged, re-export it",
                                       name));
  }
}

void checkCompression(const std::string& path, const ZipEntry& entry, std::string_view name) {
  if (entry.method == 0) {
    if (entry.compressed_size != entry.uncompressed_size) {
      throw InputError(path, fmt::format("record '{}' is stored uncompressed but its sizes differ ({} vs {} "
                                         "bytes); the archive is damaged, re-export it",
                                         entry.name, entry.compressed_size, entry.uncompressed_size));
    }
    return;
  }
  if (entry.method != 8) {
    throw InputError(path, fmt::format("record '{}' uses zip compression method {}, which torch.jit.save "
                                       "never writes; re-export the model",
                                       entry.name, entry.method));
  }
  if (startsWith(name, "data/") || startsWith(name, "constants/") || startsWith(name, "traced_inputs/") ||
      isPickle(name)) {
    throw InputError(path, fmt::format("record '{}' is compressed; torch.jit.save stores tensor data and "
                                       "pickles uncompressed, so the file was repacked or crafted; re-export it",
                                       entry.name));
  }
  if (entry.uncompressed_size > kMaxInflatedRecord ||
      entry.uncompressed_size / kMaxDeflateRatio > entry.compressed_size) {
    throw InputError(path, fmt::format("record '{}' inflates from {} to {} bytes: a zip bomb, refused",
                                       entry.name, entry.compressed_size, entry.uncompressed_size));
  }
}

// Every record: a plain name under `root`, compressed only where torch
// compresses, and no name twice.
void checkRecords(const std::string& path, const ZipDirectory& zip, const std::string& root) {
  std::vector<std::string_view> names;
  names.reserve(zip.entries().size());
  for (const auto& entry : zip.entries()) {
    checkRecordName(path, entry.name);
    if (!startsWith(entry.name, root)) {
      throw InputError(path, fmt::format("zip archive is not a PyTorch archive (record '{}' outside '{}')",
                                         entry.name, root));
    }
    checkCompression(path, entry, std::string_view(entry.name).substr(root.size()));
    names.push_back(entry.name);
  }
  std::sort(names.begin(), names.end());
  const auto duplicate = std::adjacent_find(names.begin(), names.end());
  if (duplicate != names.end()) {
    throw InputError(path, fmt::format("record '{}' appears twice in the zip directory; the archive was "
                                       "crafted or damaged, re-export it",
                                       *duplicate));
  }
}

enum class StorageSizes { kCheck, kIgnore };

// Each pickle's declared storages against the records that back them.
PickleSummary checkPickle(const std::string& path, const ZipDirectory& zip, const std::string& root,
                          const std::string& pickle_name, const std::string& tensor_dir, StorageSizes sizes) {
  const ZipEntry* entry = zip.find(root + pickle_name);
  if (!entry) return {};
  const auto bytes = zip.readSmallRecord(*entry, kMaxPickleBytes);
  if (!bytes) {
    throw InputError(path, fmt::format("record '{}' is larger than {} MiB; refusing to read it",
                                       entry->name, kMaxPickleBytes >> 20));
  }
  PickleSummary summary;
  try {
    summary = scanPickle(*bytes);
  } catch (const PickleRejected& e) {
    throw InputError(path, fmt::format("record '{}': {}", entry->name, e.what()));
  }
  if (sizes == StorageSizes::kIgnore) return summary;
  for (const auto& storage : summary.storages) {
    const std::string record = root + tensor_dir + storage.key;
    const ZipEntry* data = zip.find(record);
    if (!data) {
      if (storage.numel == 0) continue;  // torch writes no record for an empty storage
      throw InputError(path, fmt::format("record '{}' is missing but {} declares {} bytes ({} x {}) there: "
                                         "the file is truncated or was edited; re-export it",
                                         record, pickle_name, storage.bytes(), storage.numel, storage.dtype));
    }
    if (data->uncompressed_size < storage.bytes()) {
      throw InputError(path, fmt::format("record '{}' holds {} bytes but the pickle declares {} ({} x {}): "
                                         "the file is truncated or was edited; re-export it",
                                         record, data->uncompressed_size, storage.bytes(), storage.numel,
                                         storage.dtype));
    }
  }
  return summary;
}

// Stored records must not overlap: overlapping records let a small file
// declare far more data than it holds (the "overlapping files" zip bomb).
void checkLayout(const std::string& path, const ZipDirectory& zip) {
  struct Span {
    uint64_t begin, end;
    const ZipEntry* entry;
  };
  std::vector<Span> spans;
  spans.reserve(zip.entries().size());
  for (const auto& entry : zip.entries()) {
    spans.push_back({entry.local_header_offset, zip.dataOffset(entry) + entry.compressed_size, &entry});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].begin < spans[i - 1].end) {
      throw InputError(path, fmt::format("records '{}' and '{}' overlap in the file: a crafted archive "
                                         "(zip bomb), refused",
                                         spans[i - 1].entry->name, spans[i].entry->name));
    }
  }
}

}  // namespace

ArchiveInfo inspectArchive(const std::string& path, FormatVersion version_check) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw InputError(path, "no such file");
  }
  if (S_ISDIR(st.st_mode)) {
    throw InputError(path, "is a directory; expected a .pt file written by "
                           "torch.jit.save");
  }
  if (!S_ISREG(st.st_mode)) {
    throw InputError(path, "not a regular file");
  }
  if (st.st_size == 0) {
    throw InputError(path, "file is empty; expected a TorchScript archive "
                           "written by torch.jit.save");
  }

  const std::string head = readHead(path, 4096);
  const auto zip = ZipDirectory::read(path);
  if (!zip) rejectNonZip(path, head);
  if (zip->entries().empty()) {
    throw InputError(path, "empty zip archive, not a TorchScript model");
  }

  ArchiveInfo info;
  info.path = path;
  info.file_size = static_cast<uint64_t>(st.st_size);
  info.min_supported_version = caffe2::serialize::kMinSupportedFileFormatVersion;
  info.max_supported_version = caffe2::serialize::kMaxSupportedFileFormatVersion;
  info.min_supported_bytecode = caffe2::serialize::kMinSupportedBytecodeVersion;
  info.max_supported_bytecode = caffe2::serialize::kMaxSupportedBytecodeVersion;
  info.record_count = zip->entries().size();

  // PyTorch archives keep every record under one top folder.
  const std::string& first = zip->entries().front().name;
  const auto slash = first.find('/');
  if (slash == std::string::npos) {
    throw InputError(path, "zip archive is not a PyTorch archive (records "
                           "are not under one folder)");
  }
  info.prefix = first.substr(0, slash);
  const std::string root = info.prefix + "/";

  bool has_data_pkl = false;
  bool has_constants_pkl = false;
  checkRecords(path, *zip, root);
  for (const auto& entry : zip->entries()) {
    const std::string_view name =
        std::string_view(entry.name).substr(root.size());
    if (name == "data.pkl") has_data_pkl = true;
    if (name == "constants.pkl") has_constants_pkl = true;
    if (startsWith(name, "code/")) {
      if (endsWith(name, ".debug_pkl")) {
        ++info.debug_files;
      } else if (endsWith(name, ".py")) {
        ++info.code_files;
      }
    } else if (startsWith(name, "data/")) {
      ++info.tensor_records;
      info.tensor_bytes += entry.uncompressed_size;
      if (entry.method == 0) {
        const uint64_t begin = zip->dataOffset(entry);
        info.tensor_data_ranges.emplace_back(begin, begin + entry.uncompressed_size);
      }
    } else if (startsWith(name, "constants/")) {
      ++info.constant_records;
      info.constant_bytes += entry.uncompressed_size;
    } else if (name == "bytecode.pkl") {
      info.has_bytecode = true;
    } else if (name == "traced_inputs.pkl") {
      info.has_traced_inputs = true;
    } else if (startsWith(name, "traced_inputs/")) {
      ++info.traced_input_records;
    } else if (startsWith(name, "extra/") && name.size() > 6) {
      info.extra_files.emplace_back(name.substr(6));
    }
  }

  if (!has_data_pkl) {
    throw InputError(path, "zip archive is not a PyTorch archive (no "
                           "data.pkl record)");
  }
  if (info.code_files == 0 && !has_constants_pkl) {
    const auto* pkl = zip->find(root + "data.pkl");
    const auto pickle = zip->readSmallRecord(*pkl, 1 << 16);
    throw InputError(path, "this is a torch.save file holding " +
                               describePickledObject(pickle.value_or("")) +
                               ", not a TorchScript module; " +
                               std::string(kScriptHint));
  }
  if (info.code_files == 0) {
    throw InputError(path, "TorchScript archive without code/ records: "
                           "corrupt or stripped; export it again");
  }

  auto readText = [&](const std::string& name) -> std::string {
    const auto* entry = zip->find(root + name);
    if (!entry) return {};
    std::string text = zip->readSmallRecord(*entry, 256).value_or("");
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
      text.pop_back();
    }
    return text;
  };
  std::string version = readText(".data/version");
  if (version.empty()) version = readText("version");
  try {
    size_t used = 0;
    info.format_version = std::stoull(version, &used);
    if (used != version.size()) throw std::invalid_argument(version);
  } catch (const std::exception&) {
    throw InputError(path, "archive has no readable version record; "
                           "corrupt archive, export it again");
  }
  if (version_check == FormatVersion::kMustBeReadable && !info.formatReadable()) {
    throw InputError(
        path, "archive format version " + std::to_string(info.format_version) +
                  " is outside what this LibTorch reads (" +
                  std::to_string(info.min_supported_version) + ".." +
                  std::to_string(info.max_supported_version) +
                  "); use a jitscope built against a newer LibTorch");
  }
  checkLayout(path, *zip);
  info.data_storages = checkPickle(path, *zip, root, "data.pkl", "data/", StorageSizes::kCheck).storages;
  info.constant_storages = checkPickle(path, *zip, root, "constants.pkl", "constants/", StorageSizes::kCheck).storages;
  // torch 2.11 writes the traced inputs' storage records empty (see
  // tests/data/torch2/); neither torch::jit::load nor jitscope reads them,
  // so only the pickle's globals are checked.
  checkPickle(path, *zip, root, "traced_inputs.pkl", "traced_inputs/", StorageSizes::kIgnore);
  // The lite interpreter's tables; its tensor constants share constants/
  // with constants.pkl (bytecode >= 5, "N.storage" keys).
  checkPickle(path, *zip, root, "bytecode.pkl", "constants/", StorageSizes::kCheck);
  std::sort(info.tensor_data_ranges.begin(), info.tensor_data_ranges.end());
  info.byte_order = readText("byteorder");
  info.serialization_id = readText(".data/serialization_id");
  return info;
}

void checkTensorFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw InputError(path, "no such file");
  if (!S_ISREG(st.st_mode)) throw InputError(path, "not a regular file");
  const auto zip = ZipDirectory::read(path);
  if (!zip) return;  // not a zip: LibTorch's restricted unpickler reads the legacy format
  if (zip->entries().empty()) throw InputError(path, "empty zip archive, not a torch.save file");
  const std::string& first = zip->entries().front().name;
  const auto slash = first.find('/');
  if (slash == std::string::npos) {
    throw InputError(path, "zip archive is not a torch.save file (records are not under one folder)");
  }
  const std::string root = first.substr(0, slash + 1);
  checkRecords(path, *zip, root);
  checkLayout(path, *zip);
  checkPickle(path, *zip, root, "data.pkl", "data/", StorageSizes::kCheck);
}

}  // namespace jitscope
