// The running LibTorch as a deploy target: its operator registry, the
// archive and bytecode versions its readers accept, its TorchBind classes
// and quantized engines.
#include "jitscope/validators/target.h"

#include <ATen/Context.h>
#include <caffe2/serialize/versions.h>
#include <torch/csrc/jit/runtime/operator.h>
#include <torch/custom_class.h>

#include <algorithm>
#include <sstream>

#include "jitscope/core/operator_library.h"
#include "jitscope/core/torch_compat.h"

namespace jitscope {
namespace {

// The prefix the code gives a TorchBind class (`__torch__.torch.classes.`);
// the registry names classes the same way.
constexpr std::string_view kClassPrefix = "__torch__.torch.classes.";

void sortUnique(std::vector<std::string>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

}  // namespace

std::string runningTargetName() {
  return "libtorch-" + std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR);
}

TargetProfile describeRunningLibTorch() {
  TargetProfile target;
  target.name = runningTargetName();
  target.torch_version = compat::torchVersion();
  target.min_file_format = caffe2::serialize::kMinSupportedFileFormatVersion;
  target.max_file_format = caffe2::serialize::kMaxSupportedFileFormatVersion;
  target.min_bytecode = caffe2::serialize::kMinSupportedBytecodeVersion;
  target.max_bytecode = caffe2::serialize::kMaxSupportedBytecodeVersion;
  target.cuda = at::hasCUDA();
  for (const at::QEngine engine : at::globalContext().supportedQEngines()) {
    target.quantized_engines.push_back(c10::toString(engine));
  }
  sortUnique(target.quantized_engines);
  // Every method of a registered class takes the class as its first
  // argument; the method table is exported on every version we support,
  // unlike the class-name registry (getAllCustomClassesNames is declared in
  // 1.13's headers but not exported from its libtorch).
  for (const c10::FunctionSchema& method : torch::customClassSchemasForBCCheck()) {
    if (method.arguments().empty()) continue;
    const std::string name = method.arguments().front().type()->str();
    std::string_view view = name;
    if (view.substr(0, kClassPrefix.size()) != kClassPrefix) continue;
    view.remove_prefix(kClassPrefix.size());
    target.custom_classes.emplace_back(view);
  }
  sortUnique(target.custom_classes);
  target.libraries = loadedOperatorLibraries();
  for (const auto& op : torch::jit::getAllOperators()) {
    std::ostringstream text;
    text << op->schema();
    target.schemas.push_back(text.str());
  }
  sortUnique(target.schemas);
  return target;
}

}  // namespace jitscope
