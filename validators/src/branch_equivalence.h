// Whether the two sides of a frozen branch compute the same thing.
//
// A data-dependent `if` whose sides agree (x * 2 vs x + x, a max-shifted
// log-sum-exp vs the plain one) loses nothing when tracing freezes it. The
// static analysis cannot prove that; this runs both sides, compiled by
// TorchScript as two small functions of the tensors they read, on seeded
// random inputs. Agreement on every draw is evidence (reported as such),
// never a proof; any side that does not compile or run gives no answer.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace jitscope {

struct BranchSide {
  std::string body;  ///< dedented statements of the side
  bool returns = false;  ///< the side ends in `return`; else it assigns `outputs`
};

/// The number of random draws on which both sides gave the same outputs,
/// or nullopt when the sides could not both be run, or differed once.
/// `inputs` are the names of the tensors the sides read; `outputs` are the
/// variables both sides assign (ignored for returning sides).
std::optional<size_t> sidesAgree(const BranchSide& a, const BranchSide& b,
                                 const std::vector<std::string>& inputs,
                                 const std::vector<std::string>& outputs);

}  // namespace jitscope
