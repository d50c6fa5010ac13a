// Reading the user's Python code of a traced method to find what tracing
// could not have kept. See docs/audit.md, "How the audit works".
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "jitscope/validators/finding.h"
#include "jitscope/validators/python_source.h"

namespace jitscope {

class TraceLines;

/// What the analysis needs to know about the module instance `self` is.
struct ModuleFacts {
  std::string path;  ///< "layer1.0", "" for the root
  std::set<std::string> tensors;     ///< parameter and buffer names
  std::set<std::string> submodules;  ///< child module names
  /// The module's `training` flag as saved in the archive: the mode it was
  /// traced in. Unknown for free functions.
  std::optional<bool> training;
};

/// What kind of value a traced method's parameter received, from the
/// traced graph's input types (or a caller's arguments).
enum class ArgumentKind {
  kTensor,      ///< a tensor: its data and shape are traced
  kTensorList,  ///< a tuple/list of tensors: its length is fixed by the signature
  kStatic,      ///< a Python value, or a default the trace never overrode
};

/// Analysis of Python functions, one call per entry point; methods of the
/// same class and functions of the same file that it calls are followed.
/// What the PyTorch that traced the model does in its own Python code, where
/// that changed between versions.
struct TracerFacts {
  /// torch 1.x: nn.GRU/LSTM/RNN on a PackedSequence build their initial
  /// state with int(batch_sizes[0]), baking the batch size; 2.x keeps it a
  /// traced value.
  bool rnn_state_from_python_int = true;
};

class SourceAnalyzer {
 public:
  SourceAnalyzer(SourceLocator& locator, const TraceLines& trace, std::vector<Finding>& out,
                 TracerFacts tracer = {});

  /// Analyzes `function` (a method of the module `self`, or a free
  /// function). `returns_model_output` marks the root forward, whose return
  /// value is the traced model's output. `parameters` (after self), when
  /// given, says what each positional parameter received; parameters past
  /// its end kept their defaults. Without it, parameters are taken to be
  /// tensors unless annotated or defaulted as Python values.
  void analyze(const PythonFunction& function, const ModuleFacts& self, bool returns_model_output,
               const std::vector<ArgumentKind>* parameters = nullptr);

  size_t functionsAnalyzed() const { return analyzed_.size(); }

 private:
  friend class FunctionAnalysis;
  struct CallArguments;
  /// Analyzes a followed call and returns the flags of what it returns.
  unsigned follow(const PythonFunction& function, const ModuleFacts& self,
                  const CallArguments& arguments);
  /// Runs one function's analysis; a function it cannot read becomes an
  /// audit-source-unavailable note.
  unsigned analyzeReporting(const PythonFunction& function, const ModuleFacts& self,
                            bool returns_model_output, const std::vector<ArgumentKind>* parameters,
                            const CallArguments* arguments);

  SourceLocator& locator_;
  const TraceLines& trace_;
  TracerFacts tracer_;
  std::vector<Finding>& out_;
  std::set<std::string> analyzed_;          ///< "file:def_line/module path"
  std::map<std::string, unsigned> returns_;  ///< same key: flags of its return values
  int depth_ = 0;                            ///< followed calls in progress
};

}  // namespace jitscope
