// What `jitscope check` found, as plain data: per input set, the outputs
// compared and (with localize) the first intermediate that diverged. Kept
// apart from cross_check.h, which needs LibTorch's IValue for its options,
// so that the renderers in report/ can include it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "jitscope/inspector/source_location.h"
#include "jitscope/validators/finding.h"
#include "jitscope/validators/output_compare.h"

namespace jitscope {

/// The first intermediate value that differs beyond tolerance.
struct Divergence {
  size_t position = 0;        ///< among the compared values, 0-based, in execution order
  std::string op;             ///< "aten::conv2d"
  std::string value;          ///< "%input.17"
  std::string module_path;    ///< "layer3.0.conv2"; empty for the root module
  SourceLocation location;    ///< the Python line, when recorded
  std::string node;           ///< the node's IR line
  OutputDiff diff;            ///< path is the value name
};

struct LocalizeResult {
  /// "positional (identical graphs)" or "by module path, op and occurrence".
  std::string alignment;
  size_t compared = 0;        ///< pairs of intermediates compared
  size_t unmatched = 0;       ///< intermediates of the actual side with no partner
  std::optional<Divergence> first;
  double seconds = 0;         ///< the instrumented runs plus the comparisons
};

struct InputSetResult {
  std::string label;
  OutputComparison comparison;
  std::optional<LocalizeResult> localize;
  /// Set when one side failed where the other ran (a device it cannot run
  /// on): that side's error, last line; `comparison` is then not ok and empty.
  std::string failure;
};

/// Where check's time went; forward_seconds is the plain forward passes.
struct CheckTiming {
  double load_seconds = 0;
  double inputs_seconds = 0;
  double forward_seconds = 0;
  size_t forward_runs = 0;
  double compare_seconds = 0;
  double localize_seconds = 0;
  double save_seconds = 0;
  double total_seconds = 0;
};

struct CheckReport {
  std::string method;
  std::string actual;    ///< "resnet18.traced.pt on cuda as float16"
  std::string expected;  ///< "resnet18.scripted.pt on cpu" or "outputs.pt"
  std::vector<InputSetResult> sets;
  /// trace-baked-device findings: the model fails (or, with constant
  /// devices recorded, differs) on one device where the other side runs.
  std::vector<Finding> findings;
  bool ok = true;
  CheckTiming timing;
};

}  // namespace jitscope
