// The JIT IR and TorchScript code of a method as text.
#pragma once

#include <string>

namespace torch::jit {
struct Graph;
struct Module;
struct Node;
}  // namespace torch::jit

namespace jitscope {

enum class SourceComments {
  kNone,      ///< PyTorch's layout without location comments
  kOriginal,  ///< each node ends with "# file.py:line" of the user's code
};

/// Prints `graph` as PyTorch does; with kOriginal every node line carries a
/// comment naming where the node came from in the user's Python code (not
/// the serialized code/ file PyTorch's own comments point to).
std::string printGraph(const torch::jit::Graph& graph, SourceComments comments);

/// One node's line of IR as PyTorch prints it ("%5 : Tensor = aten::neg(%x)"),
/// without its blocks, scope or location comment: the evidence findings and
/// graph models quote.
std::string nodeLine(const torch::jit::Node& node);

/// TorchScript code of the root module's `method`, as Python's
/// `module.<method>.code`.
std::string printMethodCode(const torch::jit::Module& module,
                            const std::string& method);

}  // namespace jitscope
