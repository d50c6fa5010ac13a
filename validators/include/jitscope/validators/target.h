// What a LibTorch offers a model that it loads: the deploy target of
// `jitscope compat`. A target is the running LibTorch (target-info writes it
// as a file), a file written by target-info on another machine, a table
// bundled with jitscope (bundled_targets.cpp), or the operator list of a
// selective mobile build.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace jitscope {

struct TargetProfile {
  /// How the user named it: "libtorch-1.13", "targets/device.json".
  std::string name;
  /// "1.13.0"; empty for a selective-build operator list.
  std::string torch_version;
  /// Archive format versions its reader accepts (caffe2/serialize/versions.h).
  uint64_t min_file_format = 0;
  uint64_t max_file_format = 0;
  /// Lite-interpreter bytecode versions its mobile loader accepts.
  uint64_t min_bytecode = 0;
  uint64_t max_bytecode = 0;
  /// Whether CUDA was usable where the profile was taken.
  bool cuda = false;
  /// Quantized engines ("fbgemm", "qnnpack", "onednn", "x86").
  std::vector<std::string> quantized_engines;
  /// TorchBind classes, as the code names them: "quantized.LinearPackedParamsBase".
  std::vector<std::string> custom_classes;
  /// Operator libraries loaded when the profile was taken.
  std::vector<std::string> libraries;
  /// Every registered operator's schema, sorted and unique:
  /// "aten::add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor".
  std::vector<std::string> schemas;
  /// A selective build's operator list has names, not schemas, and says
  /// nothing of versions or engines: "aten::add.Tensor" keeps that overload,
  /// "aten::relu" the unnamed one, "aten::conv2d.*" every overload
  /// (include_all_overloads in selected_operators.yaml).
  bool operator_list_only = false;
  std::vector<std::string> operator_names;
};

/// The LibTorch this process runs, with the operator libraries loaded so
/// far (loadOperatorLibrary).
TargetProfile describeRunningLibTorch();

/// The JSON target file (schema in docs/commands/target-info.md).
std::string targetProfileJson(const TargetProfile& target);

/// Reads a target: a bundled name ("libtorch-1.13"), a JSON file written by
/// target-info, or a selective-build operator YAML (a list of operator
/// names, or the `operators:` map of selected_operators.yaml). Throws
/// InputError naming the file, or UsageError for an unknown name that is
/// not a file, listing the bundled names.
TargetProfile loadTarget(const std::string& name_or_path);

/// Parses target text; `origin` names it in errors.
TargetProfile parseTargetProfile(const std::string& text, const std::string& origin);

/// The bundled tables, by name ("libtorch-1.13", "libtorch-2.11").
std::vector<std::string> bundledTargetNames();

/// "libtorch-MAJOR.MINOR" of the running LibTorch.
std::string runningTargetName();

}  // namespace jitscope
