#include "jitscope/inspector/code_depth.h"

#include <fmt/format.h>

namespace jitscope {
namespace {

bool isOperatorChar(char c) {
  switch (c) {
    case '+': case '-': case '*': case '/': case '%': case '&': case '|':
    case '^': case '<': case '>': case '~': case '@': case '.':
      return true;
    default:
      return false;
  }
}

bool isWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

std::optional<std::string> findExcessiveDepth(std::string_view code, size_t max_nesting, size_t max_chain) {
  size_t depth = 0;
  size_t chain = 0;  // operators (and `and`/`or`/`not`) in the current logical line
  size_t line = 1;
  size_t i = 0;
  const size_t n = code.size();
  while (i < n) {
    const char c = code[i];
    if (c == '\n') {
      ++line;
      if (depth == 0) chain = 0;  // a logical line ends outside brackets
      ++i;
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
    } else if (c == '(' || c == '[' || c == '{') {
      if (++depth > max_nesting) {
        return fmt::format("brackets nested more than {} deep at line {}", max_nesting, line);
      }
      ++i;
    } else if (c == ')' || c == ']' || c == '}') {
      if (depth > 0) --depth;
      ++i;
    } else if (isOperatorChar(c)) {
      if (++chain > max_chain) {
        return fmt::format("an expression chains more than {} operators at line {}", max_chain, line);
      }
      while (i < n && isOperatorChar(code[i]) && code[i] != '.' ) ++i;
      if (i < n && code[i] == '.') ++i;
    } else if (isWordChar(c)) {
      const size_t begin = i;
      while (i < n && isWordChar(code[i])) ++i;
      const std::string_view word = code.substr(begin, i - begin);
      if (word == "and" || word == "or" || word == "not" || word == "if" || word == "else") {
        if (++chain > max_chain) {
          return fmt::format("an expression chains more than {} operators at line {}", max_chain, line);
        }
      }
    } else {
      ++i;
    }
  }
  return std::nullopt;
}

}  // namespace jitscope
