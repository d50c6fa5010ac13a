#include "jitscope/inspector/graph_model.h"

#include "jitscope/inspector/ir_text.h"

#include <torch/csrc/jit/ir/ir.h>

#include <sstream>

namespace jitscope {
namespace {

GraphValue describeValue(const torch::jit::Value& value) {
  std::ostringstream type;
  type << *value.type();
  return GraphValue{value.debugName(), type.str()};
}

GraphBlock buildBlock(const torch::jit::Block& block, size_t& next_id) {
  GraphBlock result;
  for (const torch::jit::Value* input : block.inputs()) {
    result.inputs.push_back(describeValue(*input));
  }
  for (const torch::jit::Node* node : block.nodes()) {
    GraphNode model;
    model.id = next_id++;
    model.kind = node->kind().toQualString();
    for (const torch::jit::Value* input : node->inputs()) {
      model.inputs.push_back(input->debugName());
    }
    for (const torch::jit::Value* output : node->outputs()) {
      model.outputs.push_back(describeValue(*output));
    }
    model.text = nodeLine(*node);
    model.source = nodeSource(*node);
    for (const torch::jit::Block* sub : node->blocks()) {
      model.blocks.push_back(buildBlock(*sub, next_id));
    }
    result.nodes.push_back(std::move(model));
  }
  for (const torch::jit::Value* output : block.outputs()) {
    result.outputs.push_back(output->debugName());
  }
  return result;
}

}  // namespace

GraphModel buildGraphModel(const torch::jit::Graph& graph, std::string method,
                           bool inlined) {
  GraphModel model;
  model.method = std::move(method);
  model.inlined = inlined;
  size_t next_id = 0;
  model.body = buildBlock(*graph.block(), next_id);
  return model;
}

}  // namespace jitscope
