#include <nlohmann/json.hpp>

#include "jitscope/report/graph_render.h"
#include "jitscope/report/json_util.h"

namespace jitscope {
namespace {

using nlohmann::ordered_json;

ordered_json valuesJson(const std::vector<GraphValue>& values) {
  ordered_json out = ordered_json::array();
  for (const auto& value : values) {
    out.push_back({{"name", value.name}, {"type", value.type}});
  }
  return out;
}

ordered_json blockJson(const GraphBlock& block);

ordered_json nodeJson(const GraphNode& node) {
  ordered_json out{{"id", node.id},
                   {"kind", node.kind},
                   {"inputs", node.inputs},
                   {"outputs", valuesJson(node.outputs)},
                   {"text", node.text},
                   {"origin", std::string(toString(node.source.origin))},
                   {"location", locationJson(node.source.location)},
                   {"module", node.source.module_path}};
  if (!node.source.stack.empty()) {
    ordered_json stack = ordered_json::array();
    for (const auto& frame : node.source.stack) {
      stack.push_back({{"file", frame.file}, {"line", frame.line}, {"function", frame.function}});
    }
    out["python_stack"] = stack;
  }
  if (!node.blocks.empty()) {
    ordered_json blocks = ordered_json::array();
    for (const auto& block : node.blocks) blocks.push_back(blockJson(block));
    out["blocks"] = blocks;
  }
  return out;
}

ordered_json blockJson(const GraphBlock& block) {
  ordered_json nodes = ordered_json::array();
  for (const auto& node : block.nodes) nodes.push_back(nodeJson(node));
  return ordered_json{{"inputs", valuesJson(block.inputs)},
                      {"nodes", nodes},
                      {"outputs", block.outputs}};
}

}  // namespace

std::string renderGraphJson(const GraphModel& graph) {
  ordered_json out{{"method", graph.method}, {"inlined", graph.inlined}};
  const ordered_json body = blockJson(graph.body);
  out["inputs"] = body["inputs"];
  out["nodes"] = body["nodes"];
  out["outputs"] = body["outputs"];
  return out.dump(2) + "\n";
}

}  // namespace jitscope
