// Finding the user's Python source behind a traced model.
//
// A traced archive records, for each node, the Python stack of the op that
// made it (absolute paths on the machine that exported it) and, for each
// module, its class's qualified name. SourceLocator turns both into readable
// files here, re-rooting recorded paths under --source-root folders when the
// model was exported elsewhere. PythonSourceFile knows just enough of
// Python's layout (logical lines, indentation, strings, brackets) to find
// classes and function definitions; parsing a function is left to
// TorchScript's own parser (source_analysis.cpp).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace jitscope {

struct PythonFunction {
  std::string file;
  std::string name;
  std::string class_name;  ///< empty for a module-level function
  size_t def_line = 0;     ///< 1-based line of "def"
  size_t end_line = 0;     ///< last line of its body
  size_t indent = 0;       ///< columns before "def"
  std::vector<std::string> decorators;  ///< "@torch.jit.script_if_tracing", ...
  /// The definition with `indent` columns removed from every line, so it
  /// parses as a top-level def; line numbers are unchanged.
  std::string text;

  bool contains(size_t line) const { return line >= def_line && line <= end_line; }
  /// True when a decorator makes TorchScript compile it (script,
  /// script_if_tracing): its control flow survives tracing.
  bool isScripted() const;
};

class PythonSourceFile {
 public:
  static std::shared_ptr<const PythonSourceFile> read(const std::string& path);

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

 private:
  struct Block {
    enum class Kind { kClass, kDef } kind;
    std::string name;
    size_t start = 0;  ///< first line (decorators excluded)
    size_t end = 0;
    size_t indent = 0;
    int parent = -1;  ///< index of the enclosing block
    std::vector<std::string> decorators;
    std::string header;  ///< the logical line, e.g. "class A(NamedTuple):"
  };
  std::optional<PythonFunction> toFunction(const Block& block) const;

  std::string path_;
  std::vector<std::string> lines_;
  std::vector<Block> blocks_;
};

class SourceLocator {
 public:
  explicit SourceLocator(std::vector<std::string> source_roots);

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
  std::vector<std::string> recorded_files_;
  std::map<std::string, std::shared_ptr<const PythonSourceFile>> cache_;
  std::vector<std::string> missing_;
};

}  // namespace jitscope
