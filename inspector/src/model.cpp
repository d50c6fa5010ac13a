#include "jitscope/inspector/model.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/serialization/import.h>

#include <caffe2/serialize/read_adapter_interface.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "jitscope/core/atomic_file.h"
#include "jitscope/core/diagnostics.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/work_counters.h"
#include "jitscope/core/isolation.h"
#include "jitscope/core/torch_compat.h"
#include "jitscope/inspector/code_records.h"
#include "jitscope/inspector/missing_operator.h"

namespace jitscope {

namespace {

// Serves the archive to LibTorch's reader, except the bytes of tensor
// records: those reads succeed without touching the destination buffer. The
// reader copies a stored record with one read of its whole size and does
// not check CRCs, so the module is built around unfilled storage.
class SkipTensorData final : public caffe2::serialize::ReadAdapterInterface {
 public:
  SkipTensorData(const ArchiveInfo& archive)
      : fd_(::open(archive.path.c_str(), O_RDONLY | O_CLOEXEC)),
        size_(archive.file_size),
        ranges_(archive.tensor_data_ranges) {
    if (fd_ < 0) throw InputError(archive.path, "cannot open file");
  }
  ~SkipTensorData() override { ::close(fd_); }

  size_t size() const override { return size_; }

  size_t read(uint64_t pos, void* buf, size_t n, const char* /*what*/) const override {
    // The range starting at or before pos; skip when the read lies inside.
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(),
                               std::make_pair(pos, UINT64_MAX));
    if (it != ranges_.begin() && pos + n <= std::prev(it)->second) return n;
    size_t done = 0;
    while (done < n) {
      const ssize_t got = ::pread(fd_, static_cast<char*>(buf) + done, n - done,
                                  static_cast<off_t>(pos + done));
      if (got <= 0) break;
      done += static_cast<size_t>(got);
    }
    return done;
  }

 private:
  int fd_;
  uint64_t size_;
  std::vector<std::pair<uint64_t, uint64_t>> ranges_;
};

// The problem LibTorch's load failure names, in one line: an operator of a
// library that is not loaded gets the --load-library that provides it.
std::string loadFailure(const std::string& message, const std::string& path) {
  if (auto advice = missingOperatorAdvice(message, path)) return "cannot load TorchScript: " + *advice;
  return "cannot load TorchScript: " + firstLine(message);
}

// Note [The model's own warnings]
// TorchScript's warnings.warn (aten::warn) and LibTorch's TORCH_WARN go to
// c10's warning handler, whose default writes raw glog lines to stderr
// ("WARNING: Logging before InitGoogleLogging() ...", then one per call).
// Installed by the first loadModel, this handler turns each distinct
// message into one note naming the model last loaded.
class ModelWarnings : public compat::WarningHandler {
 public:
  void setModel(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    model_ = path;
  }
  void handle(const std::string& message) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string line = fmt::format("'{}': the model warns: {}", model_, firstLine(message));
    if (!seen_.insert(line).second) return;
    Diagnostics(stderr).note(line);
  }

 private:
  std::mutex mutex_;
  std::string model_;
  std::set<std::string> seen_;
};

void routeModelWarnings(const std::string& path) {
  static ModelWarnings* handler = [] {
    auto* h = new ModelWarnings();  // lives as long as the process: c10 keeps the pointer
    compat::setWarningHandler(h);
    return h;
  }();
  handler->setModel(path);
}

}  // namespace

LoadedModel loadModel(const std::string& path, TensorData tensors) {
  countWork(Work::kLoad);
  LoadedModel model;
  try {
    noteInput(path);  // an isolated run reports a crash from here on against `path`
    routeModelWarnings(path);
    model.archive = inspectArchive(path);
    forEachCodeRecord(model.archive, [](const CodeRecord&) {});  // bounds their depth before the compiler
    checkDebugRecords(model.archive);
    model.module = std::make_shared<torch::jit::Module>(
        tensors == TensorData::kSkip
            ? torch::jit::load(std::make_shared<SkipTensorData>(model.archive),
                               c10::Device(c10::kCPU))
            : torch::jit::load(path, c10::Device(c10::kCPU)));
  } catch (const std::bad_alloc&) {
    throw InputError(path, "loading it " + outOfMemoryProblem());
  } catch (const c10::Error& e) {
    // An allocation failure inside TorchScript code (a __setstate__) comes
    // wrapped: "The following operation failed..." first, the cause below.
    const std::string message = e.what_without_backtrace();
    if (message.find("can't allocate memory") != std::string::npos) {
      throw InputError(path, "loading it " + outOfMemoryProblem());
    }
    throw InputError(path, loadFailure(message, path));
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {  // the interpreter's errors (a __setstate__ that failed)
    const std::string message = e.what();
    if (message.find("can't allocate memory") != std::string::npos) {
      throw InputError(path, "loading it " + outOfMemoryProblem());
    }
    throw InputError(path, loadFailure(message, path));
  }
  inputLoaded();
  return model;
}

void saveModel(const torch::jit::Module& module, const std::string& path) {
  AtomicFile file(path);
  try {
    module.save(file.tempPath());
  } catch (const c10::Error& e) {
    throw InputError(path, "cannot save the module: " + firstLine(e.what_without_backtrace()));
  }
  file.commit();
}

std::vector<std::string> methodNames(const torch::jit::Module& module) {
  std::vector<std::string> names;
  for (const auto& method : module.get_methods()) {
    names.push_back(method.name());
  }
  return names;
}

std::shared_ptr<torch::jit::Graph> methodGraph(const torch::jit::Module& module,
                                               const std::string& method,
                                               GraphForm form) {
  auto found = module.find_method(method);
  if (!found) {
    throw UsageError(fmt::format("the model has no method '{}'; it has: {}",
                                 method,
                                 fmt::join(methodNames(module), ", ")));
  }
  auto graph = found->graph()->copy();
  if (form == GraphForm::kInlined) torch::jit::Inline(*graph);
  return graph;
}

}  // namespace jitscope
