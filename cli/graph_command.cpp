// jitscope graph MODEL -o OUT [--format svg|png|pdf|dot|html] [--method NAME]
//                [--collapse DEPTH | --full] [--focus SPOT --radius N]
//                [--highlight AUDIT.json] [--reference SCRIPTED.pt]
//                [--inputs FILE.pt | --shape SPEC ...]
#include <string>

#include <fmt/format.h>

#include "command_line.h"
#include "jitscope/core/atomic_file.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/report/audit_highlights.h"
#include "jitscope/report/graphviz_render.h"
#include "jitscope/session/graph_picture.h"

namespace jitscope::cli {
namespace {

bool wantsExplorer(const std::string& name, const std::string& output) {
  if (!name.empty()) return name == "html";
  return output.size() > 5 && output.compare(output.size() - 5, 5, ".html") == 0;
}

ImageFormat chooseFormat(const std::string& name, const std::string& output) {
  if (!name.empty()) {
    if (auto format = imageFormatFromName(name)) return *format;
    throw UsageError(fmt::format("unknown --format '{}'; use svg, png, pdf, dot or html", name));
  }
  const auto dot = output.rfind('.');
  const auto slash = output.rfind('/');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) {
    if (auto format = imageFormatFromName(output.substr(dot + 1))) return *format;
  }
  if (output == "-") return ImageFormat::kSvg;
  throw UsageError(fmt::format(
      "cannot tell the image format from '{}'; name it .svg, .png, .pdf, .dot or .html, or pass "
      "--format",
      output));
}

}  // namespace

int runGraph(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage =
      "MODEL -o OUT [--format svg|png|pdf|dot|html] [--method NAME] [--collapse DEPTH | --full]\n"
      "                      [--focus NODE|FILE:LINE] [--radius N] [--highlight AUDIT.json]\n"
      "                      [--reference SCRIPTED.pt] [--inputs FILE.pt | --shape SPEC ...]";
  syntax.description =
      "Draw a method's inlined graph with Graphviz, in-process. Constants and weights\n"
      "are folded into the labels of the ops that use them; each `if` branch and loop\n"
      "body is a cluster labelled with its Python line; submodules are clusters too.\n"
      "A big graph is drawn with submodules collapsed until Graphviz lays it out in\n"
      "seconds (a note says what was folded); --full draws every box.\n"
      "--collapse 2 draws every submodule two levels down as one box; --focus draws\n"
      "only the neighbourhood of a node (n42, %x.1) or a Python line (model.py:21).\n"
      "--highlight colours what an audit report (`audit --format json`) points at;\n"
      "with --reference the scripted export is drawn beside the traced one.\n"
      "--inputs or --shape give example inputs: one run on them labels every\n"
      "tensor edge with its dtype and sizes.\n"
      "--format html (or -o FILE.html) writes an interactive explorer page: expand and\n"
      "collapse modules, branches and loops, search, click a node for its details.";
  GraphRequest request;
  std::string format_name;
  std::string highlight_path;
  int collapse = -1;
  syntax.arguments.add_options()("model", po::value(&request.model)->required(), "TorchScript file (.pt)");
  syntax.options.add_options()
      ("output,o", po::value(&request.output)->required(), "file to write (.svg, .png, .pdf, .dot, .html; - for stdout)")
      ("format,f", po::value(&format_name), "svg, png, pdf, dot or html (default: from the file name)")
      ("method,m", po::value(&request.method)->default_value("forward"), "method of the root module")
      ("collapse", po::value(&collapse), "draw submodules this deep as one box each (1 = children of the root)")
      ("full", po::bool_switch(&request.full), "draw every box (laid out one module at a time: seconds for BERT-base or ViT-B/16)")
      ("focus", po::value(&request.view.focus), "draw only around a node id (n42), a value (%x.1) or FILE:LINE")
      ("radius", po::value(&request.view.radius)->default_value(3), "steps along edges kept around --focus")
      ("highlight", po::value(&highlight_path), "colour the findings of `jitscope audit --format json`")
      ("reference,r", po::value(&request.reference), "also draw this model (e.g. the scripted export) beside it")
      ("inputs,i", po::value(&request.inputs_file), "torch.save'd example inputs: edges get shapes")
      ("shape", po::value(&request.shapes)->multitoken(), "generated example input, e.g. 1x3x224x224:float32 (edges get shapes)");
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);

  const std::string& output = request.output;
  request.explorer = wantsExplorer(format_name, output);
  request.format = request.explorer ? ImageFormat::kSvg : chooseFormat(format_name, output);
  if (!canRender(request.format)) {
    throw UsageError(fmt::format("this build cannot write {} (Graphviz's cairo plugin was not "
                                 "linked); write .svg or .dot instead",
                                 toString(request.format)));
  }
  if (output == "-" && (request.format == ImageFormat::kPng || request.format == ImageFormat::kPdf)) {
    throw UsageError("-o - writes text formats only (svg, dot); name a file for png or pdf");
  }
  if (collapse == 0 || collapse < -1) {
    throw UsageError("--collapse takes a depth of 1 or more (1 = children of the root module)");
  }
  if (request.full && collapse > 0) {
    throw UsageError("--full draws every box and --collapse folds submodules; pass one of them");
  }
  if (!request.inputs_file.empty() && !request.shapes.empty()) {
    throw UsageError("--inputs and --shape both give example inputs; pass one of them");
  }
  if (collapse > 0) request.collapse = static_cast<size_t>(collapse);
  if (!highlight_path.empty()) request.view.highlights = readAuditHighlights(highlight_path);

  const std::string bytes = drawGraph(request, ctx.diagnostics);
  if (output == "-") {
    writeOutput(bytes);
  } else {
    writeFileAtomically(output, bytes);
  }
  return toInt(ExitCode::kOk);
}

}  // namespace jitscope::cli
