// The TorchScript source records of an archive (code/**.py), read without
// compiling them: what the archive asks of a LibTorch before one loads it.
//
// Stored records (what torch.jit.save writes) are read with jitscope's own
// zip reader, so a file this LibTorch cannot load (a newer format version)
// is read too; a compressed record (a repacked archive) is inflated by
// LibTorch's reader, which needs a format version it reads.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "jitscope/inspector/archive.h"

namespace jitscope {

struct CodeRecord {
  std::string name;       ///< "code/__torch__/torchvision/models/resnet.py", below the archive's folder
  std::string_view text;  ///< the TorchScript source, valid during the visit
};

/// Calls `visit` for every code/**.py record of `archive`, in directory
/// order. Throws InputError naming the record when one cannot be read or is
/// nested past what LibTorch's compiler survives (code_depth.h).
void forEachCodeRecord(const ArchiveInfo& archive, const std::function<void(const CodeRecord&)>& visit);

/// The bytes of one record ("code/__torch__/m.py.debug_pkl", below the
/// archive's folder) of at most kMaxInflatedRecord; nullopt when the archive
/// has no such record. Throws InputError as forEachCodeRecord does.
std::optional<std::string> readArchiveRecord(const ArchiveInfo& archive, const std::string& name);

/// Scans every code/*.debug_pkl (the source ranges torch::jit::load and
/// later source lookups unpickle) with the archive gate's pickle scan;
/// throws InputError naming the record when one is malformed or nests past
/// the bound (Note [Pickle nesting bound] in pickle_scan.cpp).
void checkDebugRecords(const ArchiveInfo& archive);

}  // namespace jitscope
