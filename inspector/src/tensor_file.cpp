#include "jitscope/inspector/tensor_file.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/csrc/jit/serialization/unpickler.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "jitscope/core/errors.h"
#include "jitscope/inspector/archive.h"
#include "jitscope/inspector/pickle_rewrite.h"
#include "jitscope/inspector/pickle_scan.h"
#include "jitscope/inspector/zip_directory.h"

namespace jitscope {
namespace {

std::vector<char> readBytes(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot read " + what);
  return std::vector<char>(std::istreambuf_iterator<char>(in), {});
}

// What readArchiveAndTensors("data", ...) does for torch::jit::pickle_load,
// with the pickle rewritten in between.
c10::IValue unpickleZip(const std::string& path) {
  caffe2::serialize::PyTorchStreamReader reader(path);
  at::DataPtr record;
  size_t size = 0;
  std::tie(record, size) = reader.getRecord("data.pkl");
  const std::string pickle =
      rewritePickleForLibTorch(std::string_view(static_cast<const char*>(record.get()), size));
  size_t read = 0;
  auto source = [&](char* buffer, size_t len) -> size_t {
    len = std::min(len, pickle.size() - read);
    std::memcpy(buffer, pickle.data() + read, len);
    read += len;
    return len;
  };
  auto read_record = [&](const std::string& name) { return std::get<0>(reader.getRecord("data/" + name)); };
  torch::jit::Unpickler unpickler(source, nullptr, nullptr, read_record, c10::nullopt);
  unpickler.set_version(reader.version());
  return unpickler.parse_ivalue();
}

}  // namespace

c10::IValue readTensorFile(const std::string& path, const std::string& what) {
  checkTensorFile(path);  // before LibTorch: layout, globals, nesting, storage sizes
  const std::string fix = " (expected a file written by torch.save): ";
  try {
    if (!ZipDirectory::read(path)) return torch::jit::pickle_load(readBytes(path, what));
    return unpickleZip(path);
  } catch (const PickleRejected& e) {
    throw InputError(path, "cannot read " + what + fix + e.what() +
                               "; re-save it with torch.save of tensors in tuples, lists and dicts");
  } catch (const c10::Error& e) {
    throw InputError(path, "cannot read " + what + fix + firstLine(e.what_without_backtrace()));
  }
}

}  // namespace jitscope
