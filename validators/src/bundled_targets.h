// The target tables bundled into the binary (validators/targets/*.json,
// written by `jitscope target-info` on each LibTorch; README there).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jitscope::detail {

struct BundledTarget {
  const char* name;   ///< "libtorch-1.13"
  std::string_view text;  ///< the JSON target file
};

const std::vector<BundledTarget>& bundledTargets();

}  // namespace jitscope::detail
