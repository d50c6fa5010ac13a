#include "jitscope/inspector/archive.h"

#include <caffe2/serialize/versions.h>

#include <algorithm>
#include <fstream>
#include <string_view>
#include <sys/stat.h>

#include "jitscope/core/errors.h"
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
  if (!head.empty() && static_cast<unsigned char>(head[0]) == 0x80) {
    throw InputError(path,
                     "this is a legacy torch.save pickle, not TorchScript; " +
                         std::string(kScriptHint));
  }
  throw InputError(path,
                   "not a TorchScript archive (not a zip file); expected a "
                   "file written by torch.jit.save");
}

}  // namespace

ArchiveInfo inspectArchive(const std::string& path) {
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
  for (const auto& entry : zip->entries()) {
    if (!startsWith(entry.name, root)) {
      throw InputError(path, "zip archive is not a PyTorch archive (record '" +
                                 entry.name + "' outside '" + info.prefix +
                                 "/')");
    }
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
  if (info.format_version < info.min_supported_version ||
      info.format_version > info.max_supported_version) {
    throw InputError(
        path, "archive format version " + std::to_string(info.format_version) +
                  " is outside what this LibTorch reads (" +
                  std::to_string(info.min_supported_version) + ".." +
                  std::to_string(info.max_supported_version) +
                  "); use a jitscope built against a newer LibTorch");
  }
  std::sort(info.tensor_data_ranges.begin(), info.tensor_data_ranges.end());
  info.byte_order = readText("byteorder");
  info.serialization_id = readText(".data/serialization_id");
  return info;
}

}  // namespace jitscope
