#include "jitscope/inspector/module_info.h"

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>

#include <sstream>
#include <unordered_set>

#include "jitscope/inspector/graph_stats.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/tensor_format.h"
#include "jitscope/core/torch_compat.h"
#include "jitscope/core/work_counters.h"

namespace jitscope {

std::string cleanTypeName(std::string name) {
  auto erase_all = [&name](std::string_view token, bool digits_and_dot) {
    for (size_t pos = name.find(token); pos != std::string::npos;
         pos = name.find(token, pos)) {
      size_t end = pos + token.size();
      if (digits_and_dot) {
        while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) ++end;
        if (end < name.size() && name[end] == '.') ++end;
      }
      name.erase(pos, end - pos);
    }
  };
  erase_all("__torch__.", false);
  erase_all("___torch_mangle_", true);
  return name;
}

namespace {

void summarize(TensorSummary& summary, const at::Tensor& tensor) {
  ++summary.count;
  summary.elements += static_cast<uint64_t>(tensor.numel());
  summary.bytes += static_cast<uint64_t>(tensor.numel()) *
                   static_cast<uint64_t>(tensor.element_size());
  ++summary.dtypes[dtypeName(tensor.scalar_type())];
  ++summary.devices[tensor.device().str()];
}

// Functions reached through prim::CallFunction (a scripted function calling a
// traced one, or the reverse) are not methods of any module; their nodes
// count towards the model's provenance too.
void collectCalledFunctions(const torch::jit::Block& block,
                            std::unordered_set<const torch::jit::Function*>& seen,
                            ProvenanceEvidence& evidence) {
  for (const torch::jit::Node* node : block.nodes()) {
    if (node->kind() == c10::prim::CallFunction) {
      const auto type = node->input(0)->type()->cast<c10::FunctionType>();
      if (type && seen.insert(type->function()).second) {
        if (auto* graph_fn = torch::jit::tryToGraphFunction(*type->function())) {
          const auto graph = graph_fn->graph();
          evidence.merge(collectProvenance(*graph));
          collectCalledFunctions(*graph->block(), seen, evidence);
        }
      }
    }
    for (const torch::jit::Block* sub : node->blocks()) {
      collectCalledFunctions(*sub, seen, evidence);
    }
  }
}

// Returns the combined evidence of `module` and all its descendants.
ProvenanceEvidence describeTree(const torch::jit::Module& module, const std::string& path,
                                size_t depth, std::vector<SubmoduleInfo>& out) {
  SubmoduleInfo info;
  info.path = path;
  info.depth = depth;
  info.type_name = cleanTypeName(module.type()->name()->qualifiedName());
  for (const auto& method : module.get_methods()) {
    MethodInfo method_info;
    method_info.name = method.name();
    std::ostringstream schema;
    schema << method.function().getSchema();
    method_info.schema = cleanTypeName(schema.str());
    method_info.provenance = collectProvenance(*method.graph());
    info.provenance.merge(method_info.provenance);
    info.methods.push_back(std::move(method_info));
  }
  const size_t index = out.size();
  out.push_back(std::move(info));
  ProvenanceEvidence subtree = out[index].provenance;
  for (const auto& child : module.named_children()) {
    subtree.merge(describeTree(child.value,
                               path.empty() ? child.name : path + "." + child.name,
                               depth + 1, out));
  }
  SubmoduleInfo& self = out[index];
  self.verdict = self.provenance.verdict();
  if (self.verdict == Provenance::kUnknown && subtree.verdict() != Provenance::kUnknown) {
    self.verdict = subtree.verdict();
    self.verdict_from_submodules = true;
  }
  return subtree;
}

}  // namespace

std::map<std::string, std::string> moduleTypeNames(const torch::jit::Module& module) {
  std::map<std::string, std::string> types;
  for (const auto& child : module.named_modules()) {
    if (child.name.empty()) continue;
    const std::string type = cleanTypeName(child.value.type()->name()->qualifiedName());
    types[child.name] = type.substr(type.rfind('.') + 1);
  }
  return types;
}

ModuleInfo describeModel(const LoadedModel& model) {
  countWork(Work::kDescribe);
  const torch::jit::Module& module = *model.module;
  ModuleInfo info;
  info.archive = model.archive;
  info.linked_torch_version = compat::torchVersion();
  describeTree(module, "", 0, info.modules);

  for (const auto& param : module.named_parameters(/*recurse=*/true)) {
    summarize(info.parameters, param.value);
  }
  for (const auto& buffer : module.named_buffers(/*recurse=*/true)) {
    summarize(info.buffers, buffer.value);
  }

  std::unordered_set<const torch::jit::Function*> seen;
  for (const auto& submodule : info.modules) {
    info.provenance.merge(submodule.provenance);
  }
  for (const auto& submodule : module.modules()) {
    for (const auto& method : submodule.get_methods()) {
      collectCalledFunctions(*method.graph()->block(), seen, info.provenance);
    }
  }

  if (module.find_method("forward")) {
    const auto graph = methodGraph(module, "forward", GraphForm::kInlined);
    info.forward = countOps(*graph, "forward");
    info.pinned_devices = summarizePinnedDevices(findPinnedDevices(*graph));
  }
  return info;
}

}  // namespace jitscope
