#include "jitscope/inspector/ir_text.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/serialization/python_print.h>

#include <sstream>

#include "jitscope/inspector/model.h"
#include "jitscope/inspector/source_location.h"

namespace jitscope {
namespace {

using torch::jit::Block;
using torch::jit::Node;
using torch::jit::Value;

// The helpers below reproduce Graph::print's layout (ir.cpp), so a dump
// differs from PyTorch's only in its comments. We print the graph ourselves
// because Graph::toString(false) still prints serialized-code locations for
// nodes inside blocks, and those point at code/ files, not the user's code.
void printValueList(std::ostream& out, at::ArrayRef<const Value*> values,
                    bool with_types, const char* delimiter = ", ") {
  const char* separator = "";
  for (const Value* value : values) {
    out << separator << "%" << value->debugName();
    if (with_types) out << " : " << *value->type();
    separator = delimiter;
  }
}

void indent(std::ostream& out, size_t level) {
  for (size_t i = 0; i < level; ++i) out << "  ";
}

std::string originalComment(const Node& node) {
  const NodeSource source = nodeSource(node);
  if (!source.location.known()) return {};
  std::string comment = " # " + source.location.str();
  if (!source.module_path.empty()) comment += " (" + source.module_path + ")";
  return comment;
}

void printNode(std::ostream& out, const Node& node, size_t level,
               std::vector<const Node*>& groups, SourceComments comments) {
  node.print(out, level, &groups, /*print_source_locations=*/false,
             /*print_attributes=*/true, /*print_scopes=*/true,
             /*print_body=*/false);
  if (comments == SourceComments::kOriginal) out << originalComment(node);
  out << "\n";
  for (size_t i = 0; i < node.blocks().size(); ++i) {
    const Block* block = node.blocks()[i];
    indent(out, level + 1);
    out << "block" << i << "(";
    printValueList(out, block->inputs(), /*with_types=*/true);
    out << "):\n";
    for (const Node* nested : block->nodes()) {
      printNode(out, *nested, level + 2, groups, comments);
    }
    indent(out, level + 2);
    out << "-> (";
    printValueList(out, block->outputs(), /*with_types=*/false);
    out << ")\n";
  }
}

}  // namespace

std::string printGraph(const torch::jit::Graph& graph,
                       SourceComments comments) {
  std::ostringstream out;
  out << "graph(";
  printValueList(out, graph.inputs(), /*with_types=*/true, ",\n      ");
  out << "):\n";
  std::vector<const Node*> groups;
  for (const Node* node : graph.nodes()) printNode(out, *node, 1, groups, comments);
  out << "  return (";
  printValueList(out, graph.outputs(), /*with_types=*/false);
  out << ")\n";
  for (size_t i = 0; i < groups.size(); ++i) {
    out << "with " << groups[i]->kind().toQualString() << "_" << i << " = "
        << printGraph(*groups[i]->g(c10::attr::Subgraph), comments);
  }
  return out.str();
}

std::string nodeLine(const torch::jit::Node& node) {
  std::ostringstream text;
  node.print(text, 0, nullptr, /*print_source_locations=*/false,
             /*print_attributes=*/true, /*print_scopes=*/false,
             /*print_body=*/false);
  return text.str();
}

std::string printMethodCode(const torch::jit::Module& module,
                            const std::string& method) {
  // Resolve through methodGraph so a missing method gets the same message.
  (void)methodGraph(module, method, GraphForm::kAsSaved);
  std::vector<at::IValue> constants;
  torch::jit::PrintDepsTable deps;
  torch::jit::PythonPrint printer(constants, deps);
  printer.printMethod(module.get_method(method).function());
  return printer.str();
}

}  // namespace jitscope
