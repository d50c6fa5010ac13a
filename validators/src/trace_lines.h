// Which lines of the user's Python code left ops in a traced graph.
//
// Every traced node records the Python stack it was created under; a node
// counts for every frame of that stack, so a line that called a helper owns
// the helper's ops too. Keyed by the local path of the file (recorded paths
// re-rooted by SourceLocator).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace torch::jit {
struct Graph;
}

namespace jitscope {

class SourceLocator;

struct TracedOp {
  std::string kind;
  std::string text;  ///< the node's IR line
};

class TraceLines {
 public:
  TraceLines(const torch::jit::Graph& inlined_graph, SourceLocator& locator);

  /// Ops recorded with a frame at `file`:`line`.
  const std::vector<TracedOp>& at(const std::string& file, size_t line) const;
  /// Number of ops recorded at any line in [first, last] of `file`.
  size_t countIn(const std::string& file, size_t first, size_t last) const;
  /// First op recorded in [first, last] of `file`, or nullptr.
  const TracedOp* firstIn(const std::string& file, size_t first, size_t last) const;
  /// Local files that appear in any recorded stack (outside torch itself).
  std::vector<std::string> userFiles() const;
  /// (file, line, function) of recorded user frames, for functions not
  /// reachable from the module tree (free functions called in forward).
  struct Frame {
    std::string file;
    size_t line;
    std::string function;
  };
  const std::vector<Frame>& userFrames() const { return frames_; }

 private:
  std::map<std::string, std::map<size_t, std::vector<TracedOp>>> ops_;
  std::vector<Frame> frames_;
};

}  // namespace jitscope
