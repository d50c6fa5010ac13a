// jitscope passes [--format text|json]
#include <string>

#include "command_line.h"
#include "option_groups.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/passes/registry.h"
#include "jitscope/report/output_format.h"
#include "jitscope/report/passes_render.h"

namespace jitscope::cli {

int runPasses(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage = "[--format text|json]";
  syntax.description =
      "List the graph passes `jitscope opt` can run (LibTorch's own passes), what\n"
      "each acts on and needs (a graph or the module; eval mode; a frozen module),\n"
      "and the presets.";
  FormatFlag format_flag;
  format_flag.declare(syntax.options, {OutputFormat::kText, OutputFormat::kJson});
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);
  const OutputFormat format = format_flag.read();
  writeOutput(format == OutputFormat::kJson ? renderPassListJson(registeredPasses(), presets())
                                            : renderPassListText(registeredPasses(), presets()));
  return toInt(ExitCode::kOk);
}

}  // namespace jitscope::cli
