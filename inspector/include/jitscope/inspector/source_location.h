// Where a node of a loaded graph came from in the user's Python code.
//
// A saved archive maps every node to the code/ file it was compiled from, and
// (in code/**.debug_pkl) that range back to the range that generated it:
//  - scripted nodes map to the original function's source text, so the
//    location is an exact file:line:col;
//  - traced nodes map to the Python call stack the tracer recorded, a text of
//    "file(line): function" lines, innermost frame first.
// That difference is also the evidence for provenance (provenance.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace torch::jit {
struct Node;
}

namespace jitscope {

/// How a node entered the graph, judged from its recorded source.
enum class NodeOrigin { kUnknown, kTraced, kScripted };

std::string_view toString(NodeOrigin origin);

struct SourceLocation {
  std::string file;
  size_t line = 0;    ///< 1-based; 0 when unknown
  size_t column = 0;  ///< 1-based; 0 when unknown (traced nodes have none)

  bool known() const { return !file.empty() && line > 0; }
  /// "file:line" or "file:line:col".
  std::string str() const;
};

struct PythonFrame {
  std::string file;
  size_t line = 0;
  std::string function;
};

struct NodeSource {
  NodeOrigin origin = NodeOrigin::kUnknown;
  /// The user's code: for traced nodes the innermost frame outside the torch
  /// package; for scripted nodes the expression itself.
  SourceLocation location;
  /// Traced nodes only: the recorded Python stack, innermost first.
  std::vector<PythonFrame> stack;
  /// Submodule that owns the node in an inlined graph ("layer1.0.conv1"),
  /// from the inlined call stack; empty for the root module.
  std::string module_path;
  /// Scripted nodes whose expression lies in the torch package (the
  /// aten::conv2d inside nn.Conv2d): the innermost call site in the user's
  /// code (`out = self.conv2(out)`); unknown otherwise.
  SourceLocation user_call;
};

/// Everything recorded about where `node` came from.
NodeSource nodeSource(const torch::jit::Node& node);

/// Parses the tracer's stack text; empty when `text` is not one.
std::vector<PythonFrame> parseTracerStack(std::string_view text);

/// True for files of the torch package itself (torch/nn/modules/...), which
/// are never the user's code a finding should point at.
bool isTorchLibraryFile(std::string_view path);

}  // namespace jitscope
