// Will a model load and run on a deploy target? `jitscope compat` checks
// what an archive needs (inspector/requirements.h, read without compiling
// it) against what a LibTorch offers (target.h): the archive's format
// version, every operator call site against the target's schemas, operator
// namespaces, TorchBind classes, quantized engines and devices.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jitscope/inspector/debug_ranges.h"
#include "jitscope/inspector/requirements.h"
#include "jitscope/inspector/source_location.h"
#include "jitscope/validators/target.h"

namespace jitscope {

enum class CompatKind {
  kFileFormat,       ///< archive/version outside what the target's reader accepts
  kMissingNamespace, ///< no operator of the namespace is registered (a library is not loaded)
  kMissingOperator,  ///< the namespace is there, the operator is not
  kArguments,        ///< the operator is there, no overload accepts the call's arguments
  kCustomClass,      ///< a TorchBind class the target does not register
  kQuantizedEngine,  ///< quantized packed weights on a target with no quantized engine
  kDevice,           ///< a device fixed in the archive that the target cannot honour
  kBytecode,         ///< lite interpreter: no bytecode.pkl, or a bytecode version the target does not read
};

std::string_view toString(CompatKind kind);

/// When the failure shows: torch::jit::load throws, or the model loads and
/// a call fails when it runs.
enum class CompatStage { kLoad, kRun };

std::string_view toString(CompatStage stage);

struct CompatProblem {
  CompatKind kind;
  CompatStage stage;
  /// What is missing: "aten::scaled_dot_product_attention", "torchvision",
  /// "quantized.LinearPackedParamsBase", "archive/version 11", "cuda:0".
  std::string subject;
  /// One sentence: what the target lacks.
  std::string message;
  /// What to do about it; empty when there is nothing general to say.
  std::string fix;
  /// Every place in the code with this problem, in record order; the first
  /// is where the text points. Empty for archive-level problems.
  std::vector<CodeLocation> locations;
  /// Where it is not code: "constants.pkl (tensor constant 0)", "archive/version".
  std::string where;
  /// The user's Python line behind the first location (from .debug_pkl).
  std::optional<SourceLocation> python;
};

/// Which loader the target runs the model with.
enum class CompatRuntime {
  kAuto,  ///< the lite interpreter for a file with bytecode.pkl (a .ptl), else torch::jit::load
  kFull,  ///< torch::jit::load: compiles the code records, so their call sites must bind
  kLite,  ///< torch::jit::_load_for_mobile: reads bytecode.pkl's operator tables, exact overloads
};

std::string_view toString(CompatRuntime runtime);
/// "auto", "full", "lite"; nullopt for anything else.
std::optional<CompatRuntime> parseCompatRuntime(std::string_view name);

struct CompatOptions {
  /// The device the model is served on there ("cuda", "cpu"); empty when
  /// not said, which leaves out the checks of constants pinned to the CPU.
  std::string serve_device;
  CompatRuntime runtime = CompatRuntime::kAuto;
};

struct CompatReport {
  std::string model;
  std::string target;          ///< as the user named it
  std::string target_version;  ///< "1.13.0"; empty for an operator list
  bool operator_list_only = false;
  /// The loader checked for: kFull or kLite, never kAuto.
  CompatRuntime runtime = CompatRuntime::kFull;
  std::optional<uint64_t> bytecode_version;  ///< the file's, when it has bytecode.pkl
  size_t operators_checked = 0;  ///< distinct operators (lite: distinct name.overload of the tables)
  size_t calls_checked = 0;      ///< call sites (lite: operator table entries)
  std::vector<CompatProblem> problems;

  bool loads() const;  ///< no problem of the load stage
  bool ok() const { return problems.empty(); }
};

/// Checks `needs` against `target`. Never loads the model; `python_lines`
/// (may be null) adds each problem's Python line from the debug info.
CompatReport checkCompat(const ModelRequirements& needs, const TargetProfile& target,
                         const CompatOptions& options, GeneratingSources* python_lines = nullptr);

/// What `jitscope compat` and ci's [model.target] run: the target read by
/// loadTarget plus the --load-library libraries, the model file read without
/// loading it (its .debug_pkl records checked as loadModel checks them),
/// checked with the Python lines from its debug info. Throws InputError for
/// an unreadable model or target, UsageError for an unknown target name.
CompatReport checkModelFile(const std::string& model_path, const std::string& target_name,
                            const CompatOptions& options);

/// `target` plus the operators, in namespaces `target` has none of, that the
/// running process has registered: what a library named with --load-library
/// provides beside a bundled or recorded target.
TargetProfile withLoadedLibraries(TargetProfile target);

/// Whether a schema ("aten::add.Tensor(Tensor self, Tensor other, *, Scalar
/// alpha=1) -> Tensor") accepts a call passing `positional` arguments and
/// the keyword arguments `keywords`. Exposed for its tests.
bool schemaAcceptsCall(std::string_view schema, size_t positional, const std::vector<std::string>& keywords);

}  // namespace jitscope
