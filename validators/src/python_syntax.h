// A parsed Python file: tree-sitter's concrete syntax tree over the text.
//
// The audit reads the user's real Python (f-strings, raw docstrings,
// walrus, match, decorators, type hints: all of Python 3 that model code
// uses), so it uses a full grammar (third_party/tree-sitter-python) rather
// than TorchScript's parser, which accepts only TorchScript's subset and
// gave up on whole functions. tree-sitter never fails: text it cannot
// parse becomes ERROR/MISSING nodes, reported by hasError().
#pragma once

#include <tree_sitter/api.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace jitscope {

class PythonSyntax;

/// A node of a PythonSyntax tree; valid while its tree lives. Default-
/// constructed (and missing fields) are null: test with `if (node)`.
class SyntaxNode {
 public:
  SyntaxNode() = default;
  SyntaxNode(TSNode node, const PythonSyntax* tree) : node_(node), tree_(tree) {}

  explicit operator bool() const { return tree_ != nullptr && !ts_node_is_null(node_); }
  std::string_view type() const { return *this ? ts_node_type(node_) : ""; }
  bool is(std::string_view type_name) const { return type() == type_name; }
  /// False for anonymous tokens: keywords, operators, punctuation.
  bool isNamed() const { return *this && ts_node_is_named(node_); }

  /// The child in field `name` ("condition", "body", ...), or null.
  SyntaxNode field(const char* name) const;
  /// Every child in field `name` (if_statement's "alternative" repeats).
  std::vector<SyntaxNode> fields(const char* name) const;
  /// Named children, comments left out.
  std::vector<SyntaxNode> named() const;
  /// All children including anonymous tokens ("not", "in", "is", ...).
  std::vector<SyntaxNode> all() const;
  SyntaxNode parent() const;

  std::string_view text() const;
  size_t line() const;     ///< 1-based line of the first character
  size_t endLine() const;  ///< 1-based line of the last character
  size_t column() const;   ///< 1-based column (bytes) of the first character
  uint32_t startByte() const { return ts_node_start_byte(node_); }
  uint32_t endByte() const { return ts_node_end_byte(node_); }
  bool hasError() const { return *this && ts_node_has_error(node_); }

 private:
  TSNode node_{};
  const PythonSyntax* tree_ = nullptr;
};

class PythonSyntax {
 public:
  /// Parses `text`. Returns null when the parse was cut off by its time
  /// bound (hostile input); otherwise a tree, possibly with error nodes.
  static std::shared_ptr<const PythonSyntax> parse(std::string text);
  ~PythonSyntax();
  PythonSyntax(const PythonSyntax&) = delete;
  PythonSyntax& operator=(const PythonSyntax&) = delete;

  SyntaxNode root() const;
  const std::string& text() const { return text_; }
  /// The smallest node spanning [start, end) bytes.
  SyntaxNode nodeAt(uint32_t start, uint32_t end) const;
  /// The smallest node at 1-based `line`, 0-based byte `column`.
  SyntaxNode nodeAtPoint(size_t line, size_t column) const;

 private:
  PythonSyntax() = default;
  std::string text_;
  TSTree* tree_ = nullptr;
};

}  // namespace jitscope
