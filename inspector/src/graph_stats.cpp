#include "jitscope/inspector/graph_stats.h"

#include <torch/csrc/jit/ir/ir.h>

namespace jitscope {
namespace {

void count(const torch::jit::Block& block, OpStats& stats) {
  for (const torch::jit::Node* node : block.nodes()) {
    ++stats.nodes;
    ++stats.ops[node->kind().toQualString()];
    if (node->kind() == c10::prim::If) ++stats.if_nodes;
    if (node->kind() == c10::prim::Loop) ++stats.loop_nodes;
    for (const torch::jit::Block* sub : node->blocks()) count(*sub, stats);
  }
}

}  // namespace

OpStats countOps(const torch::jit::Graph& graph, std::string method) {
  OpStats stats;
  stats.method = std::move(method);
  count(*graph.block(), stats);
  return stats;
}

}  // namespace jitscope
