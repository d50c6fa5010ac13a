#include "jitscope/inspector/code_depth.h"

#include <cstdint>
#include <vector>

#include <fmt/format.h>

namespace jitscope {
namespace {

bool isOperatorChar(char c) {
  switch (c) {
    case '+': case '-': case '*': case '/': case '%': case '&': case '|':
    case '^': case '<': case '>': case '~': case '@': case '.': case '=': case '!':
      return true;
    default:
      return false;
  }
}

bool isWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool isChainWord(std::string_view word) {
  return word == "and" || word == "or" || word == "not" || word == "if" || word == "else" || word == "is" ||
         word == "in";
}

}  // namespace

// Note [What the compiler recurses on]
// LibTorch's parser and compiler recurse once per: bracket level; binary
// or comparison operator of a chain (`a + b + c`, `a == b == c`, `a is b
// is c`, `a in b in c`); unary operator (`- - x`, also written `--x`);
// postfix link (`x[0][0]`, `f()()`, `x.a.b`); block level (an `if` inside
// an `if`); and `elif` of one `if` (each nests in the else of the one
// before). A statement counts its chain across backslash-continued lines.
// Every one of these crashed `jitscope info` with SIGSEGV at 200,000 (10,000
// block levels) before it was bounded here (issue 18, docs/security.md).
// Two more bounds are for time, not stack: `%` chains (exponential) and the
// items of one bracket (quadratic; kMaxBracketItems).
std::optional<std::string> findExcessiveDepth(std::string_view code, size_t max_nesting, size_t max_chain) {
  size_t depth = 0;
  size_t chain = 0;  // operators, keywords and postfix links in the current logical line
  size_t modulo = 0;  // `%` operators in the current logical line
  size_t line = 1;
  size_t i = 0;
  const size_t n = code.size();
  char last = '\n';  // the last significant character ('w' a word, '"' a string)
  // Block structure: the indentation of each open block, and the `elif`s
  // seen so far at each of those levels.
  // Commas at each open bracket's own level (the items it holds, less one),
  // and the record's sum of squared item counts (kMaxBracketItems).
  std::vector<size_t> commas;
  uint64_t bracket_cost = 0;
  const uint64_t max_bracket_cost = uint64_t{kMaxBracketItems} * kMaxBracketItems;
  std::vector<size_t> indents = {0};
  std::vector<size_t> elifs = {0};
  auto chainError = [&] {
    return fmt::format("an expression chains more than {} operators at line {}", max_chain, line);
  };
  // At the start of a logical line: its indentation opens or closes blocks.
  auto startLine = [&](size_t at) -> std::optional<std::string> {
    size_t col = 0;
    while (at + col < n && (code[at + col] == ' ' || code[at + col] == '\t')) ++col;
    const size_t first = at + col;
    if (first >= n || code[first] == '\n' || code[first] == '\r' || code[first] == '#') return std::nullopt;
    while (indents.size() > 1 && indents.back() > col) {
      indents.pop_back();
      elifs.pop_back();
    }
    if (col > indents.back()) {
      indents.push_back(col);
      elifs.push_back(0);
      if (indents.size() - 1 > max_nesting) {
        return fmt::format("blocks nested more than {} deep at line {}", max_nesting, line);
      }
    }
    size_t end = first;
    while (end < n && isWordChar(code[end])) ++end;
    const std::string_view word = code.substr(first, end - first);
    if (word == "elif") {
      if (++elifs.back() > max_nesting) {
        return fmt::format("an if statement has more than {} elif branches at line {}", max_nesting, line);
      }
    } else if (word != "else") {
      elifs.back() = 0;
    }
    return std::nullopt;
  };
  if (auto why = startLine(0)) return why;
  while (i < n) {
    const char c = code[i];
    if (c == '\n') {
      ++line;
      ++i;
      if (depth == 0) {  // a logical line ends outside brackets
        chain = 0;
        modulo = 0;
        last = '\n';
        if (auto why = startLine(i)) return why;
      }
    } else if (c == '\\' && i + 1 < n && (code[i + 1] == '\n' || code[i + 1] == '\r')) {
      // A continued line: the same statement, the same chain.
      i += code[i + 1] == '\r' && i + 2 < n && code[i + 2] == '\n' ? 3 : 2;
      ++line;
    } else if (c == '#') {
      while (i < n && code[i] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      // Skip a string (triple-quoted or not); escapes skip one character.
      const bool triple = i + 2 < n && code[i + 1] == c && code[i + 2] == c;
      const size_t quote_len = triple ? 3 : 1;
      i += quote_len;
      while (i < n) {
        if (code[i] == '\\') { i += 2; continue; }
        if (code[i] == '\n') { ++line; if (!triple) break; }
        if (code[i] == c && (!triple || (i + 2 < n && code[i + 1] == c && code[i + 2] == c))) {
          i += quote_len;
          break;
        }
        ++i;
      }
      last = '"';
    } else if (c == '(' || c == '[' || c == '{') {
      if (++depth > max_nesting) {
        return fmt::format("brackets nested more than {} deep at line {}", max_nesting, line);
      }
      // A call or subscript of what a bracket closed: one more postfix link.
      if ((last == ')' || last == ']' || last == '}') && ++chain > max_chain) return chainError();
      commas.push_back(0);
      last = c;
      ++i;
    } else if (c == ')' || c == ']' || c == '}') {
      if (depth > 0) --depth;
      if (!commas.empty()) commas.pop_back();
      last = c;
      ++i;
    } else if (c == ',') {
      if (!commas.empty()) {
        // From k + 1 items to k + 2: the square grows by 2k + 3.
        bracket_cost += 2 * uint64_t{commas.back()++} + 3;
        if (bracket_cost > max_bracket_cost) {
          return fmt::format("brackets hold too many items by line {} (LibTorch's compiler takes time quadratic "
                             "in the items of one bracket; this record's would cost more than one bracket of {})",
                             line, kMaxBracketItems);
        }
      }
      last = c;
      ++i;
    } else if (isOperatorChar(c)) {
      // Every operator character counts: `--x` is two unary minuses.
      if (++chain > max_chain) return chainError();
      if (c == '%' && ++modulo > kMaxModuloChain) {
        return fmt::format("an expression chains more than {} '%' operators at line {} (LibTorch's "
                           "compiler takes exponential time and memory on them)",
                           kMaxModuloChain, line);
      }
      last = c;
      ++i;
    } else if (isWordChar(c)) {
      const size_t begin = i;
      while (i < n && isWordChar(code[i])) ++i;
      if (isChainWord(code.substr(begin, i - begin)) && ++chain > max_chain) return chainError();
      last = 'w';
    } else {
      if (c != ' ' && c != '\t' && c != '\r') last = c;
      ++i;
    }
  }
  return std::nullopt;
}

}  // namespace jitscope
