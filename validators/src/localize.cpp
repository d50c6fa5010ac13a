#include "localize.h"

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>
#include <ATen/ATen.h>

#include <fmt/format.h>

#include <chrono>
#include <map>
#include <set>

#include "jitscope/inspector/ir_text.h"
#include "jitscope/inspector/model.h"

namespace jitscope {
namespace {

using torch::jit::Node;
using torch::jit::Value;

std::string canonicalOp(std::string kind) {
  static const std::set<std::string> convolutions = {"aten::conv1d", "aten::conv2d", "aten::conv3d",
                                                     "aten::_convolution", "aten::convolution"};
  if (convolutions.count(kind)) return "conv";
  if (kind.size() > 1 && kind.back() == '_' && kind[kind.size() - 2] != '_') kind.pop_back();
  return kind;
}

// The node that really computed output `offset` of `node`: for prim::If
// (scripted `if self.padding_mode != "zeros"` around a conv, say), the
// producer inside the first block that yields a computed value.
const Node* producer(const Node* node, size_t offset) {
  while (node->kind() == c10::prim::If) {
    const Node* inner = nullptr;
    for (const auto* block : node->blocks()) {
      const Node* candidate = block->outputs()[offset]->node();
      if (candidate->kind() != c10::prim::Param && candidate->kind() != c10::prim::Constant) {
        inner = candidate;
        offset = block->outputs()[offset]->offset();
        break;
      }
    }
    if (!inner) break;
    node = inner;
  }
  return node;
}

}  // namespace

InstrumentedMethod::InstrumentedMethod(const torch::jit::Module& module, const std::string& method)
    : module_(module) {
  auto graph = methodGraph(module, method, GraphForm::kInlined);
  const std::vector<Node*> nodes(graph->nodes().begin(), graph->nodes().end());
  std::vector<Value*> copies;
  for (Node* node : nodes) {
    if (node->kind() == c10::prim::Constant || node->kind() == c10::prim::GetAttr) continue;
    for (Value* value : node->outputs()) {
      if (!value->type()->isSubtypeOf(*c10::TensorType::get())) continue;
      const Node* source = producer(node, value->offset());
      const NodeSource where = nodeSource(*source);
      captures_.push_back({"%" + value->debugName(), source->kind().toQualString(),
                           canonicalOp(source->kind().toQualString()), where.module_path,
                           where.user_call.known() ? where.user_call : where.location,
                           nodeLine(*source)});
      torch::jit::WithInsertPoint guard(node->next());
      copies.push_back(graph->insert(c10::aten::clone, {value}));
    }
  }
  // One output: (the method's own result, (captures...)).
  graph->setInsertPoint(graph->block()->return_node());
  Value* captured = graph->insertNode(graph->createTuple(copies))->output();
  Value* both = graph->insertNode(graph->createTuple({graph->outputs()[0], captured}))->output();
  graph->eraseOutput(0);
  graph->registerOutput(both);
  function_ = std::make_unique<torch::jit::GraphFunction>("jitscope_localize", graph, nullptr);
}

InstrumentedMethod::~InstrumentedMethod() = default;

std::vector<at::Tensor> InstrumentedMethod::run(const std::vector<c10::IValue>& args) const {
  at::manual_seed(0);
  torch::jit::Stack stack{module_._ivalue()};
  for (const auto& arg : args) stack.push_back(arg);
  function_->run(stack);
  std::vector<at::Tensor> out;
  for (const auto& value : stack.back().toTupleRef().elements()[1].toTupleRef().elements()) {
    out.push_back(value.toTensor().to(at::kCPU));
  }
  return out;
}

LocalizeResult localizeDivergence(const InstrumentedMethod& actual, const std::vector<c10::IValue>& actual_args,
                                  const InstrumentedMethod& expected,
                                  const std::vector<c10::IValue>& expected_args, const CompareOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  LocalizeResult result;
  const auto& a = actual.captures();
  const auto& e = expected.captures();
  // Partner in `expected` of each capture of `actual`, or -1.
  std::vector<long> partner(a.size(), -1);
  bool same = a.size() == e.size();
  for (size_t i = 0; same && i < a.size(); ++i) same = a[i].canonical_op == e[i].canonical_op;
  if (same) {
    result.alignment = "positional (the graphs have the same ops in the same order)";
    for (size_t i = 0; i < a.size(); ++i) partner[i] = static_cast<long>(i);
  } else {
    result.alignment = "by module path, op and occurrence (the graphs differ)";
    std::map<std::string, long> index;
    std::map<std::string, size_t> seen;
    auto key = [&seen](const InstrumentedMethod::Capture& c) {
      const std::string base = c.module_path + "|" + c.canonical_op;
      return fmt::format("{}|{}", base, seen[base]++);
    };
    for (size_t j = 0; j < e.size(); ++j) index[key(e[j])] = static_cast<long>(j);
    seen.clear();
    for (size_t i = 0; i < a.size(); ++i) {
      auto it = index.find(key(a[i]));
      if (it != index.end()) partner[i] = it->second;
    }
  }
  for (long p : partner) result.unmatched += p < 0 ? 1 : 0;
  const std::vector<at::Tensor> values_a = actual.run(actual_args);
  const std::vector<at::Tensor> values_e = expected.run(expected_args);
  for (size_t i = 0; i < a.size(); ++i) {
    if (partner[i] < 0) continue;
    OutputDiff diff = compareTensors(values_a[i], values_e[static_cast<size_t>(partner[i])], a[i].value, options);
    ++result.compared;
    if (diff.ok) continue;
    result.first = Divergence{result.compared - 1, a[i].op, a[i].value, a[i].module_path, a[i].location,
                              a[i].node, std::move(diff)};
    break;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace jitscope
