// Pass lookup, suggestions for mistyped names, and the presets. Includes no
// LibTorch header: the table itself is built in torch_passes.cpp.
#include "jitscope/passes/registry.h"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "builtin_passes.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/suggest.h"

namespace jitscope {
namespace {

std::string normalized(std::string_view name) {
  std::string text(name);
  std::replace(text.begin(), text.end(), '-', '_');
  return text;
}

}  // namespace

const std::vector<PassInfo>& registeredPasses() { return detail::passTable(); }

const PassInfo* findPass(std::string_view name) {
  const std::string wanted = normalized(name);
  for (const auto& pass : registeredPasses()) {
    if (pass.name == wanted) return &pass;
  }
  return nullptr;
}

void registerTestPass(PassInfo info) {
  if (findPass(info.name) == nullptr) detail::passTable().push_back(std::move(info));
}

std::vector<std::string> closePassNames(std::string_view name) {
  const std::string wanted = normalized(name);
  std::vector<std::string> names;
  for (const auto& pass : registeredPasses()) names.push_back(pass.name);
  std::vector<std::string> close;
  if (auto best = closestMatch(wanted, names)) close.push_back(*best);
  const std::string first_word = wanted.substr(0, wanted.find('_'));
  for (const auto& candidate : names) {
    const bool related =
        (wanted.size() >= 3 && candidate.find(wanted) != std::string::npos) ||
        (first_word.size() >= 3 && candidate.rfind(first_word + "_", 0) == 0);
    if (related && std::find(close.begin(), close.end(), candidate) == close.end()) {
      close.push_back(candidate);
    }
  }
  return close;
}

// Note [The inference preset]
// What torch.jit.freeze + optimize_for_inference do, minus the parts whose
// result cannot be saved: eval, freeze, then the frozen-graph optimizations
// (dropout removal, concatenating linears that share an input, folding
// batch norm, add/sub and mul/div into convolutions), then cleanup.
// optimize_for_inference also converts ops to MKLDNN layouts; such a module
// cannot be saved and loaded again, so that step is left out.
const std::vector<Preset>& presets() {
  static const std::vector<Preset> table = {
      {"inference",
       "eval + freeze + frozen folding and fusion + cleanup; the result saves and loads again",
       {"eval", "freeze", "remove_dropout", "frozen_concat_linear", "fold_frozen_conv_bn",
        "fold_frozen_conv_add_or_sub", "fold_frozen_conv_mul_or_div", "constant_propagation",
        "peephole", "cse", "constant_pooling", "dce"}},
      {"mobile",
       "the inference preset with XNNPACK prepacked linear/conv2d and fused clamps, as "
       "torch.utils.mobile_optimizer does",
       {"eval", "freeze", "remove_dropout", "fold_frozen_conv_bn", "fold_frozen_conv_add_or_sub",
        "fold_frozen_conv_mul_or_div", "insert_prepacked_ops", "fuse_prepacked_clamp",
        "fold_prepacking_ops", "fuse_add_relu", "cse", "dce"}},
      {"cleanup",
       "graph cleanup that keeps the module unfrozen: inline, constant propagation, peephole, "
       "cse, dce",
       {"inline", "constant_propagation", "peephole", "cse", "constant_pooling", "dce"}},
  };
  return table;
}

const Preset* findPreset(std::string_view name) {
  for (const auto& preset : presets()) {
    if (preset.name == name) return &preset;
  }
  return nullptr;
}

std::vector<const PassInfo*> resolvePasses(const std::vector<std::string>& names) {
  std::vector<const PassInfo*> passes;
  for (const auto& name : names) {
    const PassInfo* pass = findPass(name);
    if (pass == nullptr) {
      const auto close = closePassNames(name);
      if (close.empty()) {
        throw UsageError(fmt::format("unknown pass '{}'; run 'jitscope passes' for the list", name));
      }
      throw UsageError(fmt::format("unknown pass '{}', did you mean '{}'?", name,
                                   fmt::join(close, "', '")));
    }
    passes.push_back(pass);
  }
  return passes;
}

}  // namespace jitscope
