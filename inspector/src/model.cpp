#include "jitscope/inspector/model.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/serialization/import.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "jitscope/core/errors.h"

namespace jitscope {

LoadedModel loadModel(const std::string& path) {
  LoadedModel model;
  model.archive = inspectArchive(path);
  try {
    model.module = std::make_shared<torch::jit::Module>(
        torch::jit::load(path, c10::Device(c10::kCPU)));
  } catch (const c10::Error& e) {
    throw InputError(path, "cannot load TorchScript: " +
                               firstLine(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw InputError(path, "cannot load TorchScript: " + firstLine(e.what()));
  }
  return model;
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
