// Rewrites a torch.save pickle into the opcodes LibTorch 1.13's Unpickler
// reads, without changing the value it describes.
//
// Note [Why rewrite torch.save pickles]
// Python's pickler (protocol 2, what torch.save writes in torch 1.13 and
// 2.x) writes APPEND for a list of one element, SETITEM for a dict of one
// entry, and collections.OrderedDict as GLOBAL + EMPTY_TUPLE + REDUCE
// followed by SETITEM(S) (and BUILD when the dict carries attributes).
// LibTorch 1.13's Unpickler has no APPEND or SETITEM ("Unknown opcode for
// unpickling at 0x61"/"0x73") and turns OrderedDict into None, so the items
// set on it fail an isGenericDict() assertion. The rewrite:
//   - APPEND  -> MARK before the element, then APPENDS;
//   - SETITEM -> MARK before the key, then SETITEMS;
//   - OrderedDict() -> EMPTY_DICT (the GLOBAL, its memo stores and loads,
//     and the empty argument tuple are dropped; other memo indices are
//     kept, LibTorch's memo table allows holes);
//   - BUILD on such a dict (its attributes, e.g. a state_dict's _metadata)
//     -> dropped with the state's opcodes, unless a later opcode reads a
//     value memoised inside them.
// It runs after the pickle gate (scanPickle), which bounds nesting, memo
// indices and string sizes; the rewrite itself checks every length and
// the stack discipline, and its memory is linear in the pickle's size.
#pragma once

#include <string>
#include <string_view>

namespace jitscope {

/// What rewritePickleForLibTorch changed.
struct PickleRewriteStats {
  size_t appends = 0;        ///< APPEND opcodes turned into MARK ... APPENDS
  size_t setitems = 0;       ///< SETITEM opcodes turned into MARK ... SETITEMS
  size_t ordered_dicts = 0;  ///< OrderedDict constructions turned into EMPTY_DICT
  size_t dropped_states = 0; ///< BUILD states of those dicts dropped
  bool changed() const { return appends + setitems + ordered_dicts + dropped_states > 0; }
};

/// Returns `pickle` rewritten as described above (the same bytes when
/// nothing needs it). Throws PickleRejected (pickle_scan.h), one line
/// without the file name, on a malformed pickle or one it cannot rewrite.
std::string rewritePickleForLibTorch(std::string_view pickle, PickleRewriteStats* stats = nullptr);

}  // namespace jitscope
