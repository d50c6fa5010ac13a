// The pass registry: the table of passes.def as data, name lookup with
// suggestions, and the named presets (pass pipelines). No LibTorch types
// appear here, so report/ can list passes without including LibTorch.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace torch::jit {
struct Graph;
struct Module;
}  // namespace torch::jit

namespace jitscope {

/// What must hold before a pass runs; a bitset.
enum class PassNeeds : unsigned {
  kNone = 0,
  kEvalMode = 1u << 0,  ///< module.eval() (the `eval` pass) ran, or the model was saved in eval mode
  kFrozen = 1u << 1,    ///< parameters are constants: `freeze` ran or the model was saved frozen
};
constexpr PassNeeds operator|(PassNeeds a, PassNeeds b) {
  return static_cast<PassNeeds>(static_cast<unsigned>(a) | static_cast<unsigned>(b));
}
constexpr bool has(PassNeeds set, PassNeeds flag) {
  return (static_cast<unsigned>(set) & static_cast<unsigned>(flag)) != 0;
}

/// Whether a pass acts on method graphs or on the module (and may replace it).
enum class PassLevel { kGraph, kModule };

using GraphPassFunction = void (*)(std::shared_ptr<torch::jit::Graph>&);
using ModulePassFunction = void (*)(torch::jit::Module&);

struct PassInfo {
  std::string name;         ///< "dce"
  std::string description;  ///< one line
  PassNeeds needs = PassNeeds::kNone;     ///< checked before the pass runs
  PassNeeds provides = PassNeeds::kNone;  ///< what holds after it ran (eval, freeze)
  PassLevel level = PassLevel::kGraph;
  GraphPassFunction graph_pass = nullptr;    ///< set when level is kGraph
  ModulePassFunction module_pass = nullptr;  ///< set when level is kModule
};

/// Every registered pass, in table order (passes.def, then test-only passes).
const std::vector<PassInfo>& registeredPasses();

/// The pass called `name` ("constant-propagation" finds
/// "constant_propagation"), or nullptr.
const PassInfo* findPass(std::string_view name);

/// Registers a pass outside passes.def. Only test builds call this (a pass
/// that deliberately changes outputs, for --bisect tests); see STYLE.md §1.
/// Call it before resolving names: it may move the table, so PassInfo
/// pointers obtained earlier must not be used afterwards.
void registerTestPass(PassInfo info);

/// Registered names close to `name`: the closest by edit distance, then
/// names that contain it or share its first word. Empty when none is close.
std::vector<std::string> closePassNames(std::string_view name);

/// A named pipeline, e.g. "inference".
struct Preset {
  std::string name;
  std::string description;
  std::vector<std::string> passes;
};

const std::vector<Preset>& presets();
const Preset* findPreset(std::string_view name);

/// The passes named in `names`, in order. Throws UsageError for an unknown
/// name ("unknown pass 'dcee', did you mean 'dce'?") before anything runs.
std::vector<const PassInfo*> resolvePasses(const std::vector<std::string>& names);

}  // namespace jitscope
