// Finding the user's Python source behind a traced model.
//
// A traced archive records, for each node, the Python stack of the op that
// made it (absolute paths on the machine that exported it) and, for each
// module, its class's qualified name. SourceLocator turns both into readable
// files here, re-rooting recorded paths under --source-root folders when the
// model was exported elsewhere. PythonSourceFile parses each file once with
// a full Python grammar (validators/src/python_syntax.h) and indexes its
// classes and function definitions; source_analysis.cpp reads the bodies.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jitscope {

class PythonSyntax;
class SyntaxNode;

struct PythonFunction {
  std::string file;
  std::string name;
  std::string class_name;  ///< empty for a module-level function
  size_t def_line = 0;     ///< 1-based line of "def"
  size_t end_line = 0;     ///< last line of its body
  size_t indent = 0;       ///< columns before "def"
  std::vector<std::string> decorators;  ///< "@torch.jit.script_if_tracing", ...
  /// The parsed file holding it, and the def's byte range in that file.
  std::shared_ptr<const PythonSyntax> syntax;
  uint32_t start_byte = 0;
  uint32_t end_byte = 0;
  /// True when the parser met text it could not read inside the def.
  bool has_syntax_error = false;

  bool contains(size_t line) const { return line >= def_line && line <= end_line; }
  /// True when a decorator makes TorchScript compile it (script,
  /// script_if_tracing): its control flow survives tracing.
  bool isScripted() const;
};

class PythonSourceFile {
 public:
  /// Null when the file cannot be opened, is larger than any model's source
  /// should be (kMaxBytes), or its parse ran past its time bound.
  static std::shared_ptr<const PythonSourceFile> read(const std::string& path);
  static constexpr size_t kMaxBytes = 8u << 20;

  const std::string& path() const { return path_; }
  /// 1-based; empty string past the end.
  const std::string& line(size_t number) const;

  std::optional<PythonFunction> findMethod(const std::string& class_name,
                                           const std::string& method) const;
  std::optional<PythonFunction> findFunction(const std::string& name) const;
  /// The innermost def whose body holds `line`.
  std::optional<PythonFunction> functionContaining(size_t line) const;
  bool hasClass(const std::string& class_name) const;
  /// True when `class_name`'s bases mention `base` (e.g. "NamedTuple").
  bool classDerivesFrom(const std::string& class_name, const std::string& base) const;
  /// The text of the simple statement that starts at `line` (its whole
  /// span, however many lines its brackets take), or of the innermost one
  /// holding it; empty when none does.
  std::string statementText(size_t line) const;
  /// What the file's imports bind each name to: `import numpy as np` gives
  /// np -> numpy, `from math import ceil` gives ceil -> math.ceil.
  const std::map<std::string, std::string>& imports() const { return imports_; }

 private:
  struct Block {
    enum class Kind { kClass, kDef } kind;
    std::string name;
    size_t start = 0;  ///< first line (decorators excluded)
    size_t end = 0;
    size_t indent = 0;
    int parent = -1;  ///< index of the enclosing block
    std::vector<std::string> decorators;
    std::string bases;   ///< a class's superclass list, e.g. "(NamedTuple)"
    uint32_t start_byte = 0;  ///< the class_definition/function_definition
    uint32_t end_byte = 0;
    bool has_error = false;
  };
  void index(const SyntaxNode& node, int parent, int depth);
  void recordImport(const SyntaxNode& statement);
  std::optional<PythonFunction> toFunction(const Block& block) const;

  std::string path_;
  std::vector<std::string> lines_;
  std::vector<Block> blocks_;
  std::map<std::string, std::string> imports_;
  std::shared_ptr<const PythonSyntax> syntax_;
};

class SourceLocator {
 public:
  /// With `read_files` false it finds nothing (audit --no-source): every
  /// lookup fails as if the source were gone, and no path counts as missing.
  explicit SourceLocator(std::vector<std::string> source_roots, bool read_files = true);

  /// The file at a path recorded in the archive: as is, else re-rooted under
  /// each source root (trying ever shorter tails of the recorded path).
  std::shared_ptr<const PythonSourceFile> fileForRecordedPath(const std::string& path);

  /// The file defining class `qualified` ("pkg.mod.Class"; "Class" alone for
  /// classes defined in a __main__ script), searched under the source roots
  /// and the roots implied by recorded paths seen so far.
  std::shared_ptr<const PythonSourceFile> fileForClass(const std::string& qualified);

  /// Paths seen in the archive that could not be found here.
  const std::vector<std::string>& missingPaths() const { return missing_; }

 private:
  std::shared_ptr<const PythonSourceFile> open(const std::string& path);

  std::vector<std::string> roots_;
  bool read_files_ = true;
  std::vector<std::string> recorded_files_;
  std::map<std::string, std::shared_ptr<const PythonSourceFile>> cache_;
  std::vector<std::string> missing_;
};

}  // namespace jitscope
