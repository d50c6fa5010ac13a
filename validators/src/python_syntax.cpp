#include "python_syntax.h"

#include <cstring>

extern "C" const TSLanguage* tree_sitter_python();

namespace jitscope {
namespace {

// A model file parses in milliseconds; a file built to make the parser
// crawl is cut off instead of stalling the audit.
constexpr uint64_t kParseTimeoutMicros = 5'000'000;

struct ParserDeleter {
  void operator()(TSParser* parser) const { ts_parser_delete(parser); }
};

}  // namespace

SyntaxNode SyntaxNode::field(const char* name) const {
  if (!*this) return {};
  const TSNode child = ts_node_child_by_field_name(node_, name, static_cast<uint32_t>(strlen(name)));
  return ts_node_is_null(child) ? SyntaxNode{} : SyntaxNode(child, tree_);
}

std::vector<SyntaxNode> SyntaxNode::fields(const char* name) const {
  // A cursor, not ts_node_field_name_for_child: the latter mislabels
  // children after a repeated field in tree-sitter 0.20 (an elif_clause
  // came back as "consequence").
  std::vector<SyntaxNode> out;
  if (!*this) return out;
  TSTreeCursor cursor = ts_tree_cursor_new(node_);
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    do {
      const char* field = ts_tree_cursor_current_field_name(&cursor);
      if (field && std::strcmp(field, name) == 0) {
        out.emplace_back(ts_tree_cursor_current_node(&cursor), tree_);
      }
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
  }
  ts_tree_cursor_delete(&cursor);
  return out;
}

std::vector<SyntaxNode> SyntaxNode::named() const {
  std::vector<SyntaxNode> out;
  if (!*this) return out;
  const uint32_t count = ts_node_named_child_count(node_);
  for (uint32_t i = 0; i < count; ++i) {
    SyntaxNode child(ts_node_named_child(node_, i), tree_);
    if (!child.is("comment")) out.push_back(child);
  }
  return out;
}

std::vector<SyntaxNode> SyntaxNode::all() const {
  std::vector<SyntaxNode> out;
  if (!*this) return out;
  const uint32_t count = ts_node_child_count(node_);
  for (uint32_t i = 0; i < count; ++i) out.emplace_back(ts_node_child(node_, i), tree_);
  return out;
}

SyntaxNode SyntaxNode::parent() const {
  if (!*this) return {};
  const TSNode up = ts_node_parent(node_);
  return ts_node_is_null(up) ? SyntaxNode{} : SyntaxNode(up, tree_);
}

std::string_view SyntaxNode::text() const {
  if (!*this) return {};
  const std::string& all = tree_->text();
  const uint32_t start = ts_node_start_byte(node_);
  const uint32_t end = ts_node_end_byte(node_);
  return std::string_view(all).substr(start, end - start);
}

size_t SyntaxNode::line() const { return *this ? ts_node_start_point(node_).row + 1 : 0; }

size_t SyntaxNode::endLine() const {
  if (!*this) return 0;
  const TSPoint end = ts_node_end_point(node_);
  const TSPoint start = ts_node_start_point(node_);
  // A node that ends with its line's newline ends at column 0 of the next.
  return (end.column == 0 && end.row > start.row) ? end.row : end.row + 1;
}

size_t SyntaxNode::column() const { return *this ? ts_node_start_point(node_).column + 1 : 0; }

std::shared_ptr<const PythonSyntax> PythonSyntax::parse(std::string text) {
  std::unique_ptr<TSParser, ParserDeleter> parser(ts_parser_new());
  ts_parser_set_language(parser.get(), tree_sitter_python());
  ts_parser_set_timeout_micros(parser.get(), kParseTimeoutMicros);
  std::shared_ptr<PythonSyntax> syntax(new PythonSyntax());
  syntax->text_ = std::move(text);
  syntax->tree_ = ts_parser_parse_string(parser.get(), nullptr, syntax->text_.data(),
                                         static_cast<uint32_t>(syntax->text_.size()));
  if (!syntax->tree_) return nullptr;
  return syntax;
}

PythonSyntax::~PythonSyntax() {
  if (tree_) ts_tree_delete(tree_);
}

SyntaxNode PythonSyntax::root() const { return SyntaxNode(ts_tree_root_node(tree_), this); }

SyntaxNode PythonSyntax::nodeAt(uint32_t start, uint32_t end) const {
  return SyntaxNode(ts_node_descendant_for_byte_range(ts_tree_root_node(tree_), start, end), this);
}

SyntaxNode PythonSyntax::nodeAtPoint(size_t line, size_t column) const {
  const TSPoint point{static_cast<uint32_t>(line - 1), static_cast<uint32_t>(column)};
  return SyntaxNode(ts_node_descendant_for_point_range(ts_tree_root_node(tree_), point, point), this);
}

}  // namespace jitscope
