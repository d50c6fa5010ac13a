// jitscope graph MODEL -o OUT [--format svg|png|pdf|dot|html] [--method NAME]
//                [--collapse DEPTH | --full] [--focus SPOT --radius N]
//                [--highlight AUDIT.json] [--reference SCRIPTED.pt]
//                [--inputs FILE.pt | --shape SPEC ...]
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line.h"
#include "jitscope/core/atomic_file.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/exit_code.h"
#include "jitscope/inspector/graph_model.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/model_inputs.h"
#include "jitscope/inspector/module_info.h"
#include "jitscope/report/audit_highlights.h"
#include "jitscope/report/graph_dot.h"
#include "jitscope/report/graph_explorer.h"
#include "jitscope/report/graph_view.h"
#include "jitscope/report/graphviz_render.h"

namespace jitscope::cli {
namespace {

// Above this many boxes dot's layout takes tens of seconds to minutes.
constexpr size_t kSlowLayoutNodes = 1000;
// The default drawing collapses submodules until dot's work (boxes plus the
// ranks long edges skip: layoutWork) is at most this, which dot lays out in
// a few seconds on the project's 2-core machine: resnet18 scripted (1307)
// 1.4 s, scripted MobileNetV3-small (5986) 3-4 s, traced DenseNet-121 at
// --collapse 3 (3925, dense skip edges, the worst per unit) 4-12 s
// (docs/commands/graph.md, "Big models").
constexpr size_t kDefaultLayoutWork = 3000;

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

std::string fileName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

struct Drawable {
  GraphModel graph;
  std::map<std::string, std::string> module_types;
};

// Example inputs give edges their shapes: a file, or --shape specs.
struct ExampleInputs {
  std::string file;
  std::vector<std::string> shapes;
  bool given() const { return !file.empty() || !shapes.empty(); }
};

Drawable readModel(const std::string& path, const std::string& method,
                   const ExampleInputs& inputs, Diagnostics& diagnostics) {
  // Drawing needs only the code, unless a run on example inputs is to
  // record the shapes.
  const LoadedModel model = loadModel(path, inputs.given() ? TensorData::kLoad : TensorData::kSkip);
  const auto graph = methodGraph(*model.module, method, GraphForm::kInlined);
  if (inputs.given()) {
    std::vector<ShapeSpec> specs;
    for (const auto& text : inputs.shapes) specs.push_back(parseShapeSpec(text));
    const InputSet set = inputs.file.empty()
                             ? generateInputs(specs, *model.module, method, /*seed=*/0)
                             : readInputFile(inputs.file, *model.module, method);
    const std::string stopped = recordShapes(graph, *model.module, set.args);
    if (!stopped.empty()) {
      diagnostics.warning(fmt::format("'{}': the run on the example inputs failed ({}); edges "
                                      "after that point show types only",
                                      path, stopped));
    }
  }
  return {buildGraphModel(*graph, method, /*inlined=*/true), moduleTypeNames(*model.module)};
}

// The deepest --collapse that brings the drawing under the slow-layout size,
// for the warning's advice; 0 when none does.
size_t suggestedCollapse(std::vector<ViewRequest> requests) {
  for (auto& request : requests) request.options.collapse_depth.reset();
  const ViewFit fit = fitViews(requests, kSlowLayoutNodes).fit;
  return fit.drawn <= kSlowLayoutNodes && fit.collapse_depth ? *fit.collapse_depth : 0;
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
  std::string model_path;
  std::string output;
  std::string format_name;
  std::string method;
  std::string highlight_path;
  std::string reference_path;
  GraphViewOptions options;
  ExampleInputs inputs;
  int collapse = -1;
  bool full = false;
  syntax.arguments.add_options()("model", po::value(&model_path)->required(), "TorchScript file (.pt)");
  syntax.options.add_options()
      ("output,o", po::value(&output)->required(), "file to write (.svg, .png, .pdf, .dot, .html; - for stdout)")
      ("format,f", po::value(&format_name), "svg, png, pdf, dot or html (default: from the file name)")
      ("method,m", po::value(&method)->default_value("forward"), "method of the root module")
      ("collapse", po::value(&collapse), "draw submodules this deep as one box each (1 = children of the root)")
      ("full", po::bool_switch(&full), "draw every box, even where Graphviz takes minutes")
      ("focus", po::value(&options.focus), "draw only around a node id (n42), a value (%x.1) or FILE:LINE")
      ("radius", po::value(&options.radius)->default_value(3), "steps along edges kept around --focus")
      ("highlight", po::value(&highlight_path), "colour the findings of `jitscope audit --format json`")
      ("reference,r", po::value(&reference_path), "also draw this model (e.g. the scripted export) beside it")
      ("inputs,i", po::value(&inputs.file), "torch.save'd example inputs: edges get shapes")
      ("shape", po::value(&inputs.shapes)->multitoken(), "generated example input, e.g. 1x3x224x224:float32 (edges get shapes)");
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);

  const bool explorer = wantsExplorer(format_name, output);
  const ImageFormat format = explorer ? ImageFormat::kSvg : chooseFormat(format_name, output);
  if (!canRender(format)) {
    throw UsageError(fmt::format("this build cannot write {} (Graphviz's cairo plugin was not "
                                 "linked); write .svg or .dot instead",
                                 toString(format)));
  }
  if (output == "-" && (format == ImageFormat::kPng || format == ImageFormat::kPdf)) {
    throw UsageError("-o - writes text formats only (svg, dot); name a file for png or pdf");
  }
  if (collapse == 0 || collapse < -1) {
    throw UsageError("--collapse takes a depth of 1 or more (1 = children of the root module)");
  }
  if (full && collapse > 0) {
    throw UsageError("--full draws every box and --collapse folds submodules; pass one of them");
  }
  if (!inputs.file.empty() && !inputs.shapes.empty()) {
    throw UsageError("--inputs and --shape both give example inputs; pass one of them");
  }
  // The explorer page collapses in the browser; --collapse is its first state.
  if (collapse > 0 && !explorer) options.collapse_depth = static_cast<size_t>(collapse);
  if (!highlight_path.empty()) options.highlights = readAuditHighlights(highlight_path);

  std::vector<Drawable> models;
  models.push_back(readModel(model_path, method, inputs, ctx.diagnostics));
  if (!reference_path.empty()) {
    models.push_back(readModel(reference_path, method, inputs, ctx.diagnostics));
  }
  std::vector<ViewRequest> requests;
  for (size_t i = 0; i < models.size(); ++i) {
    GraphViewOptions view_options = options;
    view_options.module_types = models[i].module_types;
    if (i == 1) {
      view_options.title = "reference: " + fileName(reference_path);
      view_options.id_prefix = "ref_";
    } else if (!reference_path.empty()) {
      view_options.title = fileName(model_path);
    } else {
      view_options.title = fmt::format("{}  {}", fileName(model_path), method);
    }
    requests.push_back({&models[i].graph, std::move(view_options)});
  }

  // The default picture is bounded; an explicit --collapse, --focus or
  // --full, the explorer page and unlaid DOT are drawn as asked.
  const bool bounded = !explorer && !full && collapse < 0 && options.focus.empty() &&
                       format != ImageFormat::kDot;
  FittedViews fitted = fitViews(requests, bounded ? kDefaultLayoutWork : SIZE_MAX, FitMeasure::kLayoutWork);
  if (bounded) {
    truncateViews(fitted);
    if (const std::string note = describeFit(fitted.fit, output); !note.empty()) {
      ctx.diagnostics.note(fmt::format("'{}': {}", model_path, note));
    }
  }
  const std::vector<GraphView>& views = fitted.views;
  for (const auto& view : views) {
    if (view.hidden_nodes > 0 && !options.focus.empty()) {
      ctx.diagnostics.note(fmt::format("--focus: drawing {} of {} nodes of '{}'",
                                       view.nodes.size(), view.nodes.size() + view.hidden_nodes,
                                       view.title));
    }
  }
  const size_t drawn = fitted.fit.drawn;
  if (!bounded && !explorer && drawn > kSlowLayoutNodes && format != ImageFormat::kDot) {
    const size_t depth = options.focus.empty() ? suggestedCollapse(requests) : 0;
    ctx.diagnostics.warning(
        depth > 0 ? fmt::format("drawing {} nodes: Graphviz may take minutes to lay this out; "
                                "--collapse {} draws it in under {}",
                                drawn, depth, kSlowLayoutNodes)
                  : fmt::format("drawing {} nodes: Graphviz may take minutes to lay this out; "
                                "try --collapse 1, --focus or --format html",
                                drawn));
  }

  std::string bytes;
  if (explorer) {
    ExplorerOptions page = explorerStart(requests, fmt::format("{}  {}", fileName(model_path), method));
    if (collapse > 0) {
      page.collapse_depth = static_cast<size_t>(collapse);
      page.collapse_control = false;
    }
    bytes = renderGraphExplorer(views, page);
  } else {
    try {
      bytes = renderGraphviz(renderDot(views), format);
    } catch (const GraphvizError& e) {
      throw InputError(model_path, fmt::format("{} (try --format dot, --collapse or --focus)",
                                               firstLine(e.what())));
    }
  }
  if (output == "-") {
    writeOutput(bytes);
  } else {
    writeFileAtomically(output, bytes);
  }
  return toInt(ExitCode::kOk);
}

}  // namespace jitscope::cli
