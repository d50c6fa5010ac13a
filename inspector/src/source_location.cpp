#include "jitscope/inspector/source_location.h"

#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/ir/scope.h>

#include <fmt/format.h>

namespace jitscope {

std::string_view toString(NodeOrigin origin) {
  switch (origin) {
    case NodeOrigin::kTraced:
      return "traced";
    case NodeOrigin::kScripted:
      return "scripted";
    case NodeOrigin::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string SourceLocation::str() const {
  if (!known()) return "<unknown>";
  if (column == 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

bool isTorchLibraryFile(std::string_view path) {
  for (std::string_view marker : {"site-packages/torch/", "dist-packages/torch/"}) {
    if (path.find(marker) != std::string_view::npos) return true;
  }
  return false;
}

std::vector<PythonFrame> parseTracerStack(std::string_view text) {
  // Each line is "FILE(LINE): FUNCTION" (python_tracer.cpp). Parse from the
  // right: file names may themselves contain parentheses.
  std::vector<PythonFrame> frames;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    if (line.empty()) continue;
    const size_t close = line.rfind("): ");
    if (close == std::string_view::npos) return {};
    const size_t open = line.rfind('(', close);
    if (open == std::string_view::npos || open == 0 || open + 1 == close) {
      return {};
    }
    size_t number = 0;
    for (size_t i = open + 1; i < close; ++i) {
      if (line[i] < '0' || line[i] > '9') return {};
      number = number * 10 + static_cast<size_t>(line[i] - '0');
    }
    frames.push_back(PythonFrame{std::string(line.substr(0, open)), number,
                                 std::string(line.substr(close + 3))});
  }
  return frames;
}

namespace {

std::string modulePathOf(const torch::jit::Node& node) {
  const auto callstack = node.callstack();
  if (!callstack) return {};
  std::string path;
  for (const auto& entry : (*callstack)->vec()) {
    const auto& instance = std::get<2>(entry);
    if (!instance) continue;
    // The root module's own frame has no attribute name, and a method
    // calling another method of its own module (self._forward_impl) is
    // recorded as an instance named "SELF": neither is a submodule.
    const std::string& name = instance->instance_name();
    if (name.empty() || name == "SELF") continue;
    if (!path.empty()) path += '.';
    path += name;
  }
  return path;
}

// The innermost call site of an inlined node that lies outside the torch
// package (`out = self.conv2(out)` for the aten::conv2d of nn.Conv2d).
SourceLocation userCallSite(const torch::jit::Node& node) {
  const auto callstack = node.callstack();
  if (!callstack) return {};
  const auto frames = (*callstack)->vec();
  for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
    const auto generated = std::get<1>(*it).findSourceRangeThatGenerated();
    if (!generated) continue;
    const auto flc = generated->file_line_col();
    if (!flc || isTorchLibraryFile(std::get<0>(*flc))) continue;
    return SourceLocation{std::get<0>(*flc), std::get<1>(*flc), std::get<2>(*flc) + 1};
  }
  return {};
}

}  // namespace

NodeSource nodeSource(const torch::jit::Node& node) {
  NodeSource result;
  result.module_path = modulePathOf(node);
  const auto generated = node.sourceRange().findSourceRangeThatGenerated();
  if (!generated || !generated->source()) return result;

  const auto& source = generated->source();
  const std::string text = source->text_str().str();
  // The tracer gives the calls it inserts (prim::CallMethod) an empty range.
  if (text.empty() || generated->start() == generated->end()) return result;
  result.stack = parseTracerStack(text);
  if (!result.stack.empty()) {
    result.origin = NodeOrigin::kTraced;
    const PythonFrame* user = &result.stack.front();
    for (const auto& frame : result.stack) {
      if (!isTorchLibraryFile(frame.file)) {
        user = &frame;
        break;
      }
    }
    result.location = SourceLocation{user->file, user->line, 0};
    return result;
  }
  // Any other generating text is TorchScript source the compiler read, with
  // or without a file name (scripts compiled from strings have none).
  result.origin = NodeOrigin::kScripted;
  if (auto flc = generated->file_line_col()) {
    result.location = SourceLocation{std::get<0>(*flc), std::get<1>(*flc),
                                     std::get<2>(*flc) + 1};
  }
  if (result.location.known() && isTorchLibraryFile(result.location.file)) {
    result.user_call = userCallSite(node);
  }
  return result;
}

}  // namespace jitscope
