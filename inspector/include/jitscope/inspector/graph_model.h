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

/// Gives the graph's inputs the complete types of example arguments (after
/// self) and runs LibTorch's shape propagation, so that value types carry
/// dtype and sizes where the ops allow ("Float(1, 64, 56, 56)"). Returns
/// an empty string, or why LibTorch's analysis stopped (types already set
/// stay). The graph should be a copy: its types change.
std::string propagateShapes(const std::shared_ptr<torch::jit::Graph>& graph,
                            const std::vector<c10::IValue>& args);

}  // namespace jitscope
