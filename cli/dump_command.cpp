// jitscope dump MODEL [--method NAME] [--inline] [--code] [--source] [--format text|json]
#include <string>

#include "command_line.h"
#include "option_groups.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/inspector/graph_model.h"
#include "jitscope/inspector/ir_text.h"
#include "jitscope/inspector/model.h"
#include "jitscope/report/graph_render.h"
#include "jitscope/report/output_format.h"
#include "jitscope/session/model_session.h"

namespace jitscope::cli {

int runDump(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage = "MODEL [--method NAME] [--inline] [--code] [--source] [--format text|json]";
  syntax.description =
      "Print a method's graph as PyTorch prints it (optionally with every call\n"
      "inlined), or its TorchScript code. --source ends each node with the\n"
      "original Python file:line that produced it and the submodule it belongs\n"
      "to, recovered from the archive's debug info.";
  std::string model_path;
  std::string method;
  FormatFlag format_flag;
  syntax.arguments.add_options()("model", po::value(&model_path)->required(), "TorchScript file (.pt)");
  syntax.options.add_options()
      ("method,m", po::value(&method)->default_value("forward"), "method of the root module")
      ("inline", po::bool_switch(), "inline calls to submodules and functions")
      ("code", po::bool_switch(), "print TorchScript code instead of the graph")
      ("source", po::bool_switch(), "annotate nodes with the original Python file:line");
  StaticFlag static_flag;
  static_flag.declare(syntax.options);
  format_flag.declare(syntax.options, {OutputFormat::kText, OutputFormat::kJson});
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);
  const OutputFormat format = format_flag.read();
  const bool inlined = (*vm)["inline"].as<bool>();
  const bool code = (*vm)["code"].as<bool>();
  const bool source = (*vm)["source"].as<bool>();
  if (code && (inlined || source || format == OutputFormat::kJson)) {
    throw UsageError("--code prints TorchScript code as text; it does not combine "
                     "with --inline, --source or --format json");
  }

  ModelSession session(model_path, nullptr, static_flag.read());
  const LoadedModel& model = session.model();
  if (code) {
    writeOutput(printMethodCode(*model.module, method));
    return toInt(ExitCode::kOk);
  }
  const auto graph =
      methodGraph(*model.module, method, inlined ? GraphForm::kInlined : GraphForm::kAsSaved);
  if (format == OutputFormat::kJson) {
    writeOutput(renderGraphJson(buildGraphModel(*graph, method, inlined)));
  } else {
    writeOutput(printGraph(*graph, source ? SourceComments::kOriginal : SourceComments::kNone));
  }
  return toInt(ExitCode::kOk);
}

}  // namespace jitscope::cli
