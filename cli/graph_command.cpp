// jitscope graph MODEL -o OUT [--format svg|png|pdf|dot] [--method NAME]
//                [--collapse DEPTH] [--focus SPOT --radius N]
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
#include "jitscope/report/graph_view.h"
#include "jitscope/report/graphviz_render.h"

namespace jitscope::cli {
namespace {

// Above this many boxes dot's layout takes tens of seconds to minutes.
constexpr size_t kSlowLayoutNodes = 1000;

ImageFormat chooseFormat(const std::string& name, const std::string& output) {
  if (!name.empty()) {
    if (auto format = imageFormatFromName(name)) return *format;
    throw UsageError(fmt::format("unknown --format '{}'; use svg, png, pdf or dot", name));
  }
  const auto dot = output.rfind('.');
  const auto slash = output.rfind('/');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) {
    if (auto format = imageFormatFromName(output.substr(dot + 1))) return *format;
  }
  if (output == "-") return ImageFormat::kSvg;
  throw UsageError(fmt::format(
      "cannot tell the image format from '{}'; name it .svg, .png, .pdf or .dot, or pass --format",
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

GraphView draw(const Drawable& model, GraphViewOptions options) {
  options.module_types = model.module_types;
  return buildGraphView(model.graph, options);
}

// The deepest --collapse that brings the drawing under the slow-layout size,
// for the warning's advice; 0 when none does.
size_t suggestedCollapse(const std::vector<Drawable>& models, GraphViewOptions options) {
  for (size_t depth = 4; depth >= 1; --depth) {
    options.collapse_depth = depth;
    size_t drawn = 0;
    for (const auto& model : models) drawn += draw(model, options).nodes.size();
    if (drawn <= kSlowLayoutNodes) return depth;
  }
  return 0;
}

}  // namespace

int runGraph(CommandContext& ctx) {
  CommandSyntax syntax;
  syntax.usage =
      "MODEL -o OUT [--format svg|png|pdf|dot] [--method NAME] [--collapse DEPTH]\n"
      "                      [--focus NODE|FILE:LINE] [--radius N] [--highlight AUDIT.json]\n"
      "                      [--reference SCRIPTED.pt] [--inputs FILE.pt | --shape SPEC ...]";
  syntax.description =
      "Draw a method's inlined graph with Graphviz, in-process. Constants and weights\n"
      "are folded into the labels of the ops that use them; each `if` branch and loop\n"
      "body is a cluster labelled with its Python line; submodules are clusters too.\n"
      "--collapse 2 draws every submodule two levels down as one box; --focus draws\n"
      "only the neighbourhood of a node (n42, %x.1) or a Python line (model.py:21).\n"
      "--highlight colours what an audit report (`audit --format json`) points at;\n"
      "with --reference the scripted export is drawn beside the traced one.\n"
      "--inputs or --shape give example inputs: one run on them labels every\n"
      "tensor edge with its dtype and sizes.";
  std::string model_path;
  std::string output;
  std::string format_name;
  std::string method;
  std::string highlight_path;
  std::string reference_path;
  GraphViewOptions options;
  ExampleInputs inputs;
  int collapse = -1;
  syntax.arguments.add_options()("model", po::value(&model_path)->required(), "TorchScript file (.pt)");
  syntax.options.add_options()
      ("output,o", po::value(&output)->required(), "image to write (.svg, .png, .pdf, .dot; - for stdout)")
      ("format,f", po::value(&format_name), "svg, png, pdf or dot (default: from the file name)")
      ("method,m", po::value(&method)->default_value("forward"), "method of the root module")
      ("collapse", po::value(&collapse), "draw submodules this deep as one box each (1 = children of the root)")
      ("focus", po::value(&options.focus), "draw only around a node id (n42), a value (%x.1) or FILE:LINE")
      ("radius", po::value(&options.radius)->default_value(3), "steps along edges kept around --focus")
      ("highlight", po::value(&highlight_path), "colour the findings of `jitscope audit --format json`")
      ("reference,r", po::value(&reference_path), "also draw this model (e.g. the scripted export) beside it")
      ("inputs,i", po::value(&inputs.file), "torch.save'd example inputs: edges get shapes")
      ("shape", po::value(&inputs.shapes)->multitoken(), "generated example input, e.g. 1x3x224x224:float32 (edges get shapes)");
  syntax.positional.add("model", 1);
  const auto vm = parseCommandLine(ctx, syntax);
  if (!vm) return toInt(ExitCode::kOk);

  const ImageFormat format = chooseFormat(format_name, output);
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
  if (!inputs.file.empty() && !inputs.shapes.empty()) {
    throw UsageError("--inputs and --shape both give example inputs; pass one of them");
  }
  if (collapse > 0) options.collapse_depth = static_cast<size_t>(collapse);
  if (!highlight_path.empty()) options.highlights = readAuditHighlights(highlight_path);

  std::vector<Drawable> models;
  models.push_back(readModel(model_path, method, inputs, ctx.diagnostics));
  if (!reference_path.empty()) {
    models.push_back(readModel(reference_path, method, inputs, ctx.diagnostics));
  }
  std::vector<GraphView> views;
  for (size_t i = 0; i < models.size(); ++i) {
    GraphViewOptions view_options = options;
    if (i == 1) {
      view_options.title = "reference: " + fileName(reference_path);
      view_options.id_prefix = "ref_";
    } else if (!reference_path.empty()) {
      view_options.title = fileName(model_path);
    } else {
      view_options.title = fmt::format("{}  {}", fileName(model_path), method);
    }
    views.push_back(draw(models[i], view_options));
  }

  size_t drawn = 0;
  for (const auto& view : views) {
    drawn += view.nodes.size();
    if (view.hidden_nodes > 0) {
      ctx.diagnostics.note(fmt::format("--focus: drawing {} of {} nodes of '{}'",
                                       view.nodes.size(), view.nodes.size() + view.hidden_nodes,
                                       view.title));
    }
  }
  if (drawn > kSlowLayoutNodes && format != ImageFormat::kDot) {
    const size_t depth = options.focus.empty() ? suggestedCollapse(models, options) : 0;
    ctx.diagnostics.warning(
        depth > 0 ? fmt::format("drawing {} nodes: Graphviz may take minutes to lay this out; "
                                "--collapse {} draws it in under {}",
                                drawn, depth, kSlowLayoutNodes)
                  : fmt::format("drawing {} nodes: Graphviz may take minutes to lay this out; "
                                "try --collapse 1 or --focus",
                                drawn));
  }

  std::string bytes;
  try {
    bytes = renderGraphviz(renderDot(views), format);
  } catch (const GraphvizError& e) {
    throw InputError(model_path, fmt::format("{} (try --format dot, --collapse or --focus)",
                                             firstLine(e.what())));
  }
  if (output == "-") {
    writeOutput(bytes);
  } else {
    writeFileAtomically(output, bytes);
  }
  return toInt(ExitCode::kOk);
}

}  // namespace jitscope::cli
