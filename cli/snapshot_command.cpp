// jitscope snapshot MODEL [-o SNAP.json] [--inputs FILE.pt] [--max-values N] [--no-audit]
#include <string>

#include "command_line.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/session/model_session.h"

namespace jitscope::cli {

int runSnapshot(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage = "MODEL [-o SNAP.json] [--inputs FILE.pt] [--max-values N] [--no-audit]";
  syntax.description =
      "Record what a later export of MODEL must keep, as stable JSON to commit next to\n"
      "the code: method schemas, a canonical graph fingerprint, the operator set, the\n"
      "graph's structure by module and source line, parameter shapes, dtypes and digests,\n"
      "provenance, audit findings, and forward's outputs on --inputs. Compare two with\n"
      "`jitscope diff`. Keys: docs/commands/snapshot.md.";
  std::string model_path;
  std::string output;
  SnapshotOptions options;
  syntax.arguments.add_options()("model", po::value(&model_path)->required(), "TorchScript file (.pt)");
  syntax.options.add_options()
      ("output,o", po::value(&output), "write the snapshot here (default: stdout)")
      ("inputs,i", po::value(&options.inputs), "torch.save'd inputs of forward; their outputs are recorded")
      ("max-values", po::value(&options.max_values)->default_value(4096),
       "keep an output's values (for tolerance checks) up to this many elements; digest only above")
      ("no-audit", po::bool_switch(), "leave out the trace audit's findings");
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);
  ModelSession session(model_path);
  writeOutputTo(output,
                snapshotToJson(session.snapshot(options.inputs, !(*vm)["no-audit"].as<bool>(), options.max_values)));
  return toInt(ExitCode::kOk);
}

}  // namespace jitscope::cli
