#include "jitscope/inspector/graph_model.h"

#include "jitscope/inspector/ir_text.h"

#include <torch/csrc/jit/ir/constants.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/runtime/custom_operator.h>
#include <torch/csrc/jit/runtime/graph_executor.h>

#include <iomanip>
#include <map>
#include <sstream>

#include "jitscope/inspector/tensor_format.h"

namespace jitscope {
namespace {

GraphValue describeValue(const torch::jit::Value& value) {
  std::ostringstream type;
  type << *value.type();
  return GraphValue{value.debugName(), type.str()};
}

// A value as a reader wants it in a label: scalars, lists and strings as
// Python writes them (doubles shortest-first, not to 17 digits), tensors
// only by dtype and shape (their data can be large).
std::string valueText(const c10::IValue& value) {
  if (value.isTensor()) {
    const at::Tensor& tensor = value.toTensor();
    std::ostringstream shape;
    shape << "Tensor(" << dtypeName(tensor.scalar_type()) << "[";
    for (int64_t d = 0; d < tensor.dim(); ++d) shape << (d ? ", " : "") << tensor.size(d);
    shape << "])";
    return shape.str();
  }
  std::ostringstream out;
  if (value.isDouble()) {
    out << std::setprecision(6) << value.toDouble();
    return out.str();
  }
  out << value;
  return out.str();
}

std::string constantText(const torch::jit::Node& node) {
  const auto value = torch::jit::toIValue(node.output());
  return value ? valueText(*value) : "?";
}

void describeOperator(const torch::jit::Node& node, GraphNode& model) {
  if (node.kind() == c10::prim::Constant) {
    model.constant = constantText(node);
  } else if (node.kind() == c10::prim::GetAttr) {
    model.attribute = node.s(c10::attr::name);
  }
  const c10::FunctionSchema* schema = node.maybeSchema();
  if (schema == nullptr) return;
  std::ostringstream text;
  text << *schema;
  model.schema = text.str();
  if (schema->arguments().size() == node.inputs().size()) {
    for (const auto& argument : schema->arguments()) {
      model.argument_names.push_back(argument.name());
      const auto& fallback = argument.default_value();
      model.argument_defaults.push_back(fallback ? valueText(*fallback) : "");
    }
  }
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
    describeOperator(*node, model);
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

namespace {

// Shapes seen while running an instrumented graph: observe node id -> the
// tensor type of the value it watched, merged over loop iterations.
std::map<int64_t, c10::TensorTypePtr>& observedShapes() {
  static std::map<int64_t, c10::TensorTypePtr> shapes;
  return shapes;
}

constexpr const char* kObserve = "jitscope::observe_shape";

// CONSERVATIVE alias analysis gives the op side effects, so no pass of the
// executor removes it.
const torch::jit::RegisterOperators kRegisterObserve({torch::jit::Operator(
    std::string(kObserve) + "(Tensor x, int id) -> ()",
    [](torch::jit::Stack& stack) {
      const int64_t id = torch::jit::pop(stack).toInt();
      const at::Tensor tensor = torch::jit::pop(stack).toTensor();
      if (!tensor.defined()) return;
      auto type = c10::TensorType::create(tensor);
      auto& seen = observedShapes()[id];
      seen = seen ? seen->merge(*type) : type;
    },
    c10::AliasAnalysisKind::CONSERVATIVE)});

void instrument(torch::jit::Block& block, std::vector<torch::jit::Value*>& watched,
                std::vector<torch::jit::Node*>& added) {
  torch::jit::Graph& graph = *block.owningGraph();
  const auto observe = c10::Symbol::fromQualString(kObserve);
  for (torch::jit::Node* node : block.nodes()) {
    for (torch::jit::Block* sub : node->blocks()) instrument(*sub, watched, added);
    if (node->kind() == c10::prim::Constant) continue;
    for (torch::jit::Value* output : node->outputs()) {
      if (output->type()->kind() != c10::TypeKind::TensorType) continue;
      torch::jit::Node* id = graph.create(c10::prim::Constant);
      id->output()->setType(c10::IntType::get());
      id->i_(c10::attr::value, static_cast<int64_t>(watched.size()));
      torch::jit::Node* call = graph.create(observe, {output, id->output()}, 0);
      call->insertAfter(node);
      id->insertBefore(call);
      watched.push_back(output);
      added.push_back(call);
      added.push_back(id);
    }
  }
}

}  // namespace

std::string recordShapes(const std::shared_ptr<torch::jit::Graph>& graph,
                         const torch::jit::Module& module, const std::vector<c10::IValue>& args) {
  const auto inputs = graph->inputs();
  for (size_t i = 0; i < args.size() && i + 1 < inputs.size(); ++i) {
    if (args[i].isTensor()) inputs[i + 1]->setType(c10::TensorType::create(args[i].toTensor()));
  }
  std::vector<torch::jit::Value*> watched;
  std::vector<torch::jit::Node*> added;
  instrument(*graph->block(), watched, added);
  observedShapes().clear();
  std::string stopped;
  try {
    // The plain interpreter: no profiling, no specialisation of the copy.
    const torch::jit::GraphOptimizerEnabledGuard plain(false);
    torch::jit::GraphFunction function("jitscope_record_shapes", graph->copy(), nullptr);
    torch::jit::Stack stack{module._ivalue()};
    stack.insert(stack.end(), args.begin(), args.end());
    function.run(stack);
  } catch (const std::exception& e) {
    const std::string what = e.what();
    stopped = what.substr(0, what.find('\n'));
  }
  for (torch::jit::Node* node : added) node->destroy();  // calls first, then their ids
  for (const auto& [id, type] : observedShapes()) watched[static_cast<size_t>(id)]->setType(type);
  observedShapes().clear();
  return stopped;
}

}  // namespace jitscope
