// The user's Python line behind a place in an archive's code, read from the
// archive alone (no LibTorch compilation, so it works on files this LibTorch
// cannot load).
//
// torch.jit.save writes, beside each code record, `RECORD.debug_pkl`: a
// pickled list of (byte offset in the record, source range that generated
// the code from that offset on). The importer finds a node's origin the
// same way (ConcreteSourceRangeUnpickler::findSourceRangeThatGenerated,
// which LibTorch does not export): the last entry at or before the offset.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "jitscope/inspector/archive.h"
#include "jitscope/inspector/requirements.h"
#include "jitscope/inspector/source_location.h"

namespace jitscope {

/// Reads each record's debug info on first use; a record without one, or
/// with one that does not unpickle, maps nothing (never throws).
class GeneratingSources {
 public:
  explicit GeneratingSources(ArchiveInfo archive);
  ~GeneratingSources();

  /// The user's code that generated `at`: a scripted expression's file:line:col,
  /// or a traced call's innermost frame outside the torch package; nullopt
  /// when the archive has no debug info there.
  std::optional<SourceLocation> locate(const CodeLocation& at);

  struct Records;  ///< one record's debug info (debug_ranges.cpp)

 private:
  const Records& recordsOf(const std::string& record);

  ArchiveInfo archive_;
  std::map<std::string, std::unique_ptr<Records>> records_;
};

}  // namespace jitscope
