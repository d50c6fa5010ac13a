#include "trace_lines.h"

#include <torch/csrc/jit/ir/ir.h>

#include <set>

#include "jitscope/inspector/ir_text.h"
#include "jitscope/inspector/source_location.h"
#include "jitscope/validators/python_source.h"

namespace jitscope {
namespace {

void walk(const torch::jit::Block& block, SourceLocator& locator,
          std::map<std::string, std::map<size_t, std::vector<TracedOp>>>& ops,
          std::set<std::tuple<std::string, size_t, std::string>>& frames) {
  for (const torch::jit::Node* node : block.nodes()) {
    const NodeSource source = nodeSource(*node);
    if (source.origin == NodeOrigin::kTraced) {
      const TracedOp op{node->kind().toQualString(), nodeLine(*node)};
      std::set<std::pair<std::string, size_t>> seen;  // recursion repeats frames
      // Frames outside the outermost `forward` belong to the script that ran
      // torch.jit.trace, not to the model.
      size_t model_frames = 0;  // none: made by the tracer after forward returned
      for (size_t i = source.stack.size(); i-- > 0;) {
        if (source.stack[i].function == "forward" && !isTorchLibraryFile(source.stack[i].file)) {
          model_frames = i + 1;
          break;
        }
      }
      for (size_t i = 0; i < model_frames; ++i) {
        const auto& frame = source.stack[i];
        if (isTorchLibraryFile(frame.file)) continue;
        const auto file = locator.fileForRecordedPath(frame.file);
        const std::string path = file ? file->path() : frame.file;
        if (!seen.emplace(path, frame.line).second) continue;
        ops[path][frame.line].push_back(op);
        frames.emplace(path, frame.line, frame.function);
      }
    }
    for (const torch::jit::Block* sub : node->blocks()) walk(*sub, locator, ops, frames);
  }
}

}  // namespace

TraceLines::TraceLines(const torch::jit::Graph& inlined_graph, SourceLocator& locator) {
  std::set<std::tuple<std::string, size_t, std::string>> frames;
  walk(*inlined_graph.block(), locator, ops_, frames);
  for (const auto& [file, line, function] : frames) frames_.push_back({file, line, function});
}

const std::vector<TracedOp>& TraceLines::at(const std::string& file, size_t line) const {
  static const std::vector<TracedOp> none;
  const auto f = ops_.find(file);
  if (f == ops_.end()) return none;
  const auto l = f->second.find(line);
  return l == f->second.end() ? none : l->second;
}

size_t TraceLines::countIn(const std::string& file, size_t first, size_t last) const {
  const auto f = ops_.find(file);
  if (f == ops_.end()) return 0;
  size_t count = 0;
  for (auto it = f->second.lower_bound(first); it != f->second.end() && it->first <= last; ++it) {
    count += it->second.size();
  }
  return count;
}

const TracedOp* TraceLines::firstIn(const std::string& file, size_t first, size_t last) const {
  const auto f = ops_.find(file);
  if (f == ops_.end()) return nullptr;
  for (auto it = f->second.lower_bound(first); it != f->second.end() && it->first <= last; ++it) {
    for (const auto& op : it->second) {
      if (op.kind != "prim::Constant") return &op;
    }
  }
  return nullptr;
}

std::vector<std::string> TraceLines::userFiles() const {
  std::vector<std::string> files;
  for (const auto& entry : ops_) files.push_back(entry.first);
  return files;
}

}  // namespace jitscope
