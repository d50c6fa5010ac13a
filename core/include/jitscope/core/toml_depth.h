// A bound on how deep a TOML document nests tables, checked on its text
// before toml++ parses it.
//
// toml++ bounds nested arrays and inline tables (TOML_MAX_NESTED_VALUES,
// 256) but not dotted keys: `[a.a.a...]` with 200,000 parts builds a table
// 200,000 deep, which toml++ destroys recursively (SIGSEGV in `jitscope ci`).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace jitscope {

constexpr size_t kMaxTomlNesting = 256;

/// Why `text` nests tables deeper than `max_nesting` ("line 3: tables nest
/// more than 256 levels deep ..."), or nullopt. Depth counts the parts of a
/// table header, of a dotted key and the open arrays and inline tables
/// around it. A character scan: strings and comments are skipped.
std::optional<std::string> findExcessiveTomlNesting(std::string_view text, size_t max_nesting = kMaxTomlNesting);

}  // namespace jitscope
