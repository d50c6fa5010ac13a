// jitscope info MODEL [--format text|json]
#include <string>

#include "command_line.h"
#include "option_groups.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/report/info_render.h"
#include "jitscope/session/model_session.h"

namespace jitscope::cli {

int runInfo(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage = "MODEL [--format text|json]";
  syntax.description =
      "Describe a TorchScript model: archive format and debug info, module tree,\n"
      "methods with schemas, parameters and buffers, the node-kind histogram of the\n"
      "inlined forward graph, and whether each part was traced, scripted or mixed.";
  std::string model_path;
  FormatFlag format_flag;
  syntax.arguments.add_options()("model", po::value(&model_path)->required(), "TorchScript file (.pt)");
  StaticFlag static_flag;
  static_flag.declare(syntax.options);
  format_flag.declare(syntax.options, {OutputFormat::kText, OutputFormat::kJson});
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);
  const OutputFormat format = format_flag.read();

  ModelSession session(model_path, nullptr, static_flag.read());
  writeOutput(renderInfo(session.info(), session.requirements(), format));
  return toInt(ExitCode::kOk);
}

}  // namespace jitscope::cli
