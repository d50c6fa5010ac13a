// File-system path helpers shared by the components.
#pragma once

#include <string>

namespace jitscope {

/// The canonical absolute form of `path` (symlinks and ".." resolved), or
/// `path` unchanged when it does not exist here. Lets paths recorded in an
/// archive, found under a source root and named on the command line meet.
std::string canonicalPath(const std::string& path);

/// Removes `path` and everything under it; quietly does nothing for what is
/// already gone. Use this, not std::filesystem::remove_all: the torch 2.x
/// wheel's libtorch.so exports its own copy of that function, which binds
/// first in any binary linking LibTorch and crashes there (a call through a
/// null pointer, seen with torch 2.11 on Ubuntu 24.04).
void removeTree(const std::string& path);

}  // namespace jitscope
