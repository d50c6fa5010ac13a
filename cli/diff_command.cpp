// jitscope diff OLD NEW [--inputs FILE.pt] [--rtol R] [--atol A] [--format text|json]
#include <string>

#include "command_line.h"
#include "option_groups.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/report/diff_render.h"
#include "jitscope/report/output_format.h"
#include "jitscope/session/model_session.h"
#include "jitscope/validators/snapshot_diff.h"

namespace jitscope::cli {

int runDiff(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage = "OLD NEW [--inputs FILE.pt] [--rtol R] [--atol A] [--format text|json]";
  syntax.description =
      "Say what changed between two exports: schemas, operators added or removed, graph\n"
      "structure (aligned by module path and source line, not node numbers), parameters,\n"
      "provenance, new audit findings, outputs beyond tolerance. OLD and NEW are each a\n"
      ".pt or a snapshot from `jitscope snapshot`; a .pt is snapshotted with --inputs.\n"
      "Exit 0 when nothing changed, 1 when something did.";
  std::string old_path;
  std::string new_path;
  FormatFlag format_flag;
  ToleranceFlags tolerance;
  std::string inputs;
  DiffOptions options;
  syntax.arguments.add_options()
      ("old", po::value(&old_path)->required(), "the reference: .pt or snapshot")
      ("new", po::value(&new_path)->required(), "the new export: .pt or snapshot");
  syntax.options.add_options()
      ("inputs,i", po::value(&inputs), "torch.save'd inputs for a .pt side (use the snapshot's)")
      ("show-fixed", po::bool_switch(&options.removed_findings), "also list audit findings OLD had and NEW lost");
  tolerance.declare(syntax.options, "for outputs");
  format_flag.declare(syntax.options, {OutputFormat::kText, OutputFormat::kJson});
  syntax.positional.add("old", 1).add("new", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);
  const OutputFormat format = format_flag.read();
  tolerance.read();
  tolerance.applyTo(options.tolerance);

  SessionCache sessions;  // OLD and NEW naming one .pt: one load, one snapshot
  const Snapshot old_snapshot = loadOrTakeSnapshot(sessions, old_path, inputs);
  const Snapshot new_snapshot = loadOrTakeSnapshot(sessions, new_path, inputs);
  const SnapshotDiff diff = diffSnapshots(old_snapshot, new_snapshot, options);
  writeOutput(format == OutputFormat::kJson ? renderDiffJson(diff) : renderDiffText(diff));
  return toInt(diff.same() ? ExitCode::kOk : ExitCode::kFindings);
}

}  // namespace jitscope::cli
