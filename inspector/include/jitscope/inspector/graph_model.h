// A method's graph as plain data: nodes, values, nested blocks and where each
// node came from. `dump --format json` renders it; later the graph drawer and
// the audit walk it without touching LibTorch types.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "jitscope/inspector/source_location.h"

namespace torch::jit {
struct Graph;
struct Module;
}
namespace c10 {
struct IValue;
}

namespace jitscope {

struct GraphValue {
  std::string name;  ///< debug name without '%'
  std::string type;  ///< as PyTorch prints it
};

struct GraphNode;

struct GraphBlock {
  std::vector<GraphValue> inputs;
  std::vector<GraphNode> nodes;
  std::vector<std::string> outputs;  ///< value names
};

struct GraphNode {
  size_t id = 0;  ///< position in a pre-order walk; stable for one graph
  std::string kind;
  std::vector<std::string> inputs;  ///< value names
  std::vector<GraphValue> outputs;
  std::string text;  ///< the node's line of PyTorch's IR, without blocks
  NodeSource source;
  std::vector<GraphBlock> blocks;
  /// The operator's schema when it has one ("aten::add.Tensor(Tensor self,
  /// Tensor other, *, Scalar alpha=1) -> Tensor"); empty for prim nodes.
  std::string schema;
  /// Schema argument names, one per input when the schema matched.
  std::vector<std::string> argument_names;
  /// Each argument's default as a constant would print; empty if none.
  std::vector<std::string> argument_defaults;
  /// prim::Constant: its value as Python would write it ("1", "[2, 2]",
  /// "None", "Tensor(float32[3, 4])"). Empty for other nodes.
  std::string constant;
  /// prim::GetAttr: the attribute read ("weight").
  std::string attribute;
};

struct GraphModel {
  std::string method;
  bool inlined = false;
  GraphBlock body;  ///< graph inputs, top-level nodes, return values
};

GraphModel buildGraphModel(const torch::jit::Graph& graph, std::string method,
                           bool inlined);

/// Runs `graph` (a copy of one of `module`'s methods, inlined) once on
/// `args` (after self) in the plain interpreter and gives every tensor value
/// the dtype and sizes it had ("Float(1, 64, 56, 56)"; a size that changes
/// between loop iterations becomes unknown). The model's weights must be
/// loaded. Returns an empty string, or the first line of the error that
/// stopped the run (values reached before it keep their shapes).
std::string recordShapes(const std::shared_ptr<torch::jit::Graph>& graph,
                         const torch::jit::Module& module, const std::vector<c10::IValue>& args);

}  // namespace jitscope
