// Reading the user's Python code of a traced method to find what tracing
// could not have kept. See docs/audit.md, "How the static audit reasons".
#pragma once

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
};

class SourceAnalyzer {
 public:
  SourceAnalyzer(SourceLocator& locator, const TraceLines& trace, std::vector<Finding>& out);

  /// Analyzes `function` (a method of the module `self`, or a free
  /// function), following calls to other methods of the same class and to
  /// functions of the same file. `returns_model_output` marks the root
  /// forward, whose return value is the traced model's output. When
  /// `arguments` is given (a followed call), it holds what the caller passed
  /// to each positional parameter after self; otherwise parameters are taken
  /// to be tensors unless annotated or defaulted as Python values.
  void analyze(const PythonFunction& function, const ModuleFacts& self,
               bool returns_model_output, const std::vector<unsigned>* arguments = nullptr);

  size_t functionsAnalyzed() const { return analyzed_.size(); }

 private:
  friend class FunctionAnalysis;
  SourceLocator& locator_;
  const TraceLines& trace_;
  std::vector<Finding>& out_;
  std::set<std::string> analyzed_;  ///< "file:def_line/module path"
};

}  // namespace jitscope
