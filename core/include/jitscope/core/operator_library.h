#pragma once
// Operator libraries named with --load-library: shared objects that register
// TorchScript operators (torchvision's _C, torchaudio's libtorchaudio, a
// user's libcustom_ops.so) when they are loaded, as torch.ops.load_library
// does in Python. Loading one runs its code: only ever a library the user
// named (docs/security.md).
#include <string>
#include <vector>

namespace jitscope {

/// dlopen()s `path` with RTLD_NOW | RTLD_GLOBAL so its static initializers
/// register their operators. Throws InputError(path, ...) with the loader's
/// reason when it cannot be loaded.
void loadOperatorLibrary(const std::string& path);

/// The libraries loaded so far, in order (for messages and child processes).
const std::vector<std::string>& loadedOperatorLibraries();

}  // namespace jitscope
