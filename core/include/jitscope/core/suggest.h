// "did you mean ...?" for mistyped names (commands, passes, checks).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jitscope {

/// The candidate closest to `name` by edit distance, when it is close enough
/// to be a plausible typo (at most a third of the name's length, min 2).
std::optional<std::string> closestMatch(std::string_view name,
                                        const std::vector<std::string>& candidates);

}  // namespace jitscope
