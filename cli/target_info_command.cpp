// jitscope target-info [-o TARGET.json] [--load-library LIB]...
#include <string>

#include "command_line.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/validators/target.h"

namespace jitscope::cli {

int runTargetInfo(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage = "[-o TARGET.json]";
  syntax.description =
      "Write what this LibTorch offers a model, as a target file for `jitscope compat\n"
      "--target FILE`: its version, the archive and bytecode versions it reads, every\n"
      "registered operator schema, TorchBind classes, quantized engines and whether CUDA\n"
      "is usable. Libraries named with --load-library are loaded first, so their\n"
      "operators are in the table. Run it on the machine you deploy to.";
  std::string output;
  syntax.options.add_options()("output,o", po::value(&output), "write the target here (default: stdout)");
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);

  writeOutputTo(output, targetProfileJson(describeRunningLibTorch()));
  return toInt(ExitCode::kOk);
}

}  // namespace jitscope::cli
