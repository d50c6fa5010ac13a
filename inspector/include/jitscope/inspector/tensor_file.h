// Reading a file written by torch.save (inputs, expected outputs): the one
// reader behind `--inputs` (readInputFile) and `check --expected`.
#pragma once

#include <ATen/core/ivalue.h>

#include <string>

namespace jitscope {

/// Reads the value `torch.save` wrote to `path`. The file goes through the
/// gate first (checkTensorFile: layout, globals, nesting, storage sizes);
/// its data.pkl is then rewritten into what LibTorch 1.13's Unpickler reads
/// (rewritePickleForLibTorch: one-element lists, one-entry dicts,
/// OrderedDict) and unpickled with its tensors. `what` names the file's
/// role in errors ("inputs", "expected outputs"). Throws InputError, one
/// line naming the file and the fix.
c10::IValue readTensorFile(const std::string& path, const std::string& what);

}  // namespace jitscope
