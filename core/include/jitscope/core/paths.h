// File-system path helpers shared by the components.
#pragma once

#include <string>

namespace jitscope {

/// The canonical absolute form of `path` (symlinks and ".." resolved), or
/// `path` unchanged when it does not exist here. Lets paths recorded in an
/// archive, found under a source root and named on the command line meet.
std::string canonicalPath(const std::string& path);

}  // namespace jitscope
