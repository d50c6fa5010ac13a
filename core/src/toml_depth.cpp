#include "jitscope/core/toml_depth.h"

#include <vector>

#include <fmt/format.h>

namespace jitscope {

std::optional<std::string> findExcessiveTomlNesting(std::string_view text, size_t max_nesting) {
  size_t line = 1;
  size_t header = 0;         // parts of the current [table] header, beyond the first
  size_t key = 0;            // dots of the key being read
  bool in_key = true;        // reading a key (line start, after '{' or a ',' in an inline table)
  bool in_header = false;
  std::vector<char> open;    // '[' or '{' of the open values
  std::vector<size_t> keys;  // dots of the key each open value belongs to
  size_t open_keys = 0;      // sum of keys
  const size_t n = text.size();
  auto depth = [&] { return header + open_keys + open.size() + key; };
  for (size_t i = 0; i < n;) {
    const char c = text[i];
    if (c == '#') {
      while (i < n && text[i] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      const bool triple = i + 2 < n && text[i + 1] == c && text[i + 2] == c;
      const size_t quote = triple ? 3 : 1;
      i += quote;
      while (i < n) {
        if (c == '"' && text[i] == '\\') { i += 2; continue; }
        if (text[i] == '\n') { ++line; if (!triple) break; }
        if (text[i] == c && (!triple || (i + 2 < n && text[i + 1] == c && text[i + 2] == c))) {
          i += quote;
          break;
        }
        ++i;
      }
      continue;
    } else if (c == '\n') {
      ++line;
      if (open.empty()) {
        in_key = true;
        in_header = false;
        key = 0;
      }
    } else if (c == '[' && open.empty() && in_key && key == 0 && !in_header) {
      in_header = true;  // a [table] or [[array of tables]] header
      header = 0;
      if (i + 1 < n && text[i + 1] == '[') ++i;
    } else if (c == ']' && in_header) {
      in_header = false;
      in_key = false;
    } else if (c == '.' && (in_key || in_header)) {
      if (in_header) ++header; else ++key;
    } else if (c == '=' && in_key) {
      in_key = false;
    } else if (c == '[' || c == '{') {
      open.push_back(c);
      keys.push_back(key);
      open_keys += key;
      key = 0;
      in_key = c == '{';
    } else if ((c == ']' || c == '}') && !open.empty()) {
      open_keys -= keys.back();
      keys.pop_back();
      open.pop_back();
      key = 0;
      in_key = false;
    } else if (c == ',') {
      key = 0;
      in_key = !open.empty() && open.back() == '{';
    }
    if (depth() > max_nesting) {
      return fmt::format("line {}: tables nest more than {} levels deep (table headers, dotted keys, arrays and "
                         "inline tables together); toml++ would recurse that deep and overflow its stack",
                         line, max_nesting);
    }
    ++i;
  }
  return std::nullopt;
}

}  // namespace jitscope
