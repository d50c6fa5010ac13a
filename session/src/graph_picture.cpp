// See graph_picture.h.
#include "jitscope/session/graph_picture.h"

#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "jitscope/core/errors.h"
#include "jitscope/inspector/graph_model.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/model_inputs.h"
#include "jitscope/inspector/module_info.h"
#include "jitscope/report/graph_dot.h"
#include "jitscope/report/graph_explorer.h"
#include "jitscope/report/graph_hierarchy.h"
#include "jitscope/session/model_session.h"

namespace jitscope {
namespace {

// The picture is laid out hierarchically (graph_hierarchy.h): one dot run
// per distinct module. The default drawing collapses submodules until the
// work of those runs (boxes, ports and the virtual nodes of long edges,
// identical modules counted once: FitMeasure::kPartWork) is at most this,
// which lays out in a few seconds on the project's 2-core machine; 5000
// let traced DenseNet-121's dense blocks (every layer feeding every later
// one) through at 20 s (docs/commands/graph.md, "Big models").
constexpr size_t kDefaultPartWork = 3000;
// Above this, an explicit --full is warned to take tens of seconds.
constexpr size_t kSlowPartWork = 8000;

std::string fileName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

struct Drawable {
  GraphModel graph;
  std::map<std::string, std::string> module_types;
};

// Drawing needs only the code, unless a run on example inputs is to record
// the shapes: the model is read without its tensor data otherwise.
Drawable readModel(const std::string& path, const GraphRequest& request, Diagnostics& diagnostics) {
  const bool run = !request.inputs_file.empty() || !request.shapes.empty();
  ModelSession session(path, nullptr, run ? TensorData::kLoad : TensorData::kSkip);
  const LoadedModel& model = session.model();
  const auto graph = methodGraph(*model.module, request.method, GraphForm::kInlined);
  if (run) {
    std::vector<ShapeSpec> specs;
    for (const auto& text : request.shapes) specs.push_back(parseShapeSpec(text));
    const InputSet set = request.inputs_file.empty()
                             ? generateInputs(specs, *model.module, request.method, /*seed=*/0)
                             : readInputFile(request.inputs_file, *model.module, request.method);
    const std::string stopped = recordShapes(graph, *model.module, set.args);
    if (!stopped.empty()) {
      diagnostics.warning(fmt::format("'{}': the run on the example inputs failed ({}); edges "
                                      "after that point show types only",
                                      path, stopped));
    }
  }
  return {buildGraphModel(*graph, request.method, /*inlined=*/true), moduleTypeNames(*model.module)};
}

// The deepest --collapse that brings the drawing under the default's work,
// for the warning's advice; 0 when none does.
size_t suggestedCollapse(std::vector<ViewRequest> requests) {
  for (auto& request : requests) request.options.collapse_depth.reset();
  const ViewFit fit = fitViews(requests, kDefaultPartWork, FitMeasure::kPartWork).fit;
  return fit.size <= kDefaultPartWork && fit.collapse_depth ? *fit.collapse_depth : 0;
}

// The views laid out hierarchically and drawn where they were placed.
std::string renderViews(const std::vector<GraphView>& views, ImageFormat format) {
  if (format == ImageFormat::kDot) return renderDot(views);  // DOT stays flat and unlaid
  const DrawingPlacement placement = layOutHierarchically(views, layOutDot);
  return renderGraphviz(renderDot(views, &placement), format, GraphvizLayout::kGiven);
}

}  // namespace

std::string drawGraph(const GraphRequest& request, Diagnostics& diagnostics) {
  GraphViewOptions options = request.view;
  // The explorer page collapses in the browser; --collapse is its first state.
  if (request.collapse && !request.explorer) options.collapse_depth = request.collapse;

  std::vector<Drawable> models;
  models.push_back(readModel(request.model, request, diagnostics));
  if (!request.reference.empty()) models.push_back(readModel(request.reference, request, diagnostics));
  std::vector<ViewRequest> requests;
  for (size_t i = 0; i < models.size(); ++i) {
    GraphViewOptions view_options = options;
    view_options.module_types = models[i].module_types;
    if (i == 1) {
      view_options.title = "reference: " + fileName(request.reference);
      view_options.id_prefix = "ref_";
    } else if (!request.reference.empty()) {
      view_options.title = fileName(request.model);
    } else {
      view_options.title = fmt::format("{}  {}", fileName(request.model), request.method);
    }
    requests.push_back({&models[i].graph, std::move(view_options)});
  }

  // The default picture is bounded; an explicit --collapse, --focus or
  // --full, the explorer page and unlaid DOT are drawn as asked.
  const bool dot = request.format == ImageFormat::kDot;
  const bool bounded = !request.explorer && !request.full && !request.collapse && options.focus.empty() && !dot;
  FittedViews fitted = fitViews(requests, bounded ? kDefaultPartWork : SIZE_MAX, FitMeasure::kPartWork);
  if (bounded) {
    truncateViews(fitted);
    if (const std::string note = describeFit(fitted.fit, request.output); !note.empty()) {
      diagnostics.note(fmt::format("'{}': {}", request.model, note));
    }
  }
  const std::vector<GraphView>& views = fitted.views;
  for (const auto& view : views) {
    if (view.hidden_nodes > 0 && !options.focus.empty()) {
      diagnostics.note(fmt::format("--focus: drawing {} of {} nodes of '{}'", view.nodes.size(),
                                   view.nodes.size() + view.hidden_nodes, view.title));
    }
  }
  if (!bounded && !request.explorer && !dot && fitted.fit.size > kSlowPartWork) {
    const size_t depth = options.focus.empty() ? suggestedCollapse(requests) : 0;
    diagnostics.warning(depth > 0 ? fmt::format("drawing {} boxes: the layout may take tens of seconds; "
                                                "--collapse {} draws it in a few",
                                                fitted.fit.drawn, depth)
                                  : fmt::format("drawing {} boxes: the layout may take tens of seconds; "
                                                "try --collapse 1, --focus or --format html",
                                                fitted.fit.drawn));
  }

  if (request.explorer) {
    ExplorerOptions page =
        explorerStart(requests, fmt::format("{}  {}", fileName(request.model), request.method));
    if (request.collapse) {
      page.collapse_depth = *request.collapse;
      page.collapse_control = false;
    }
    return renderGraphExplorer(views, page);
  }
  try {
    return renderViews(views, request.format);
  } catch (const GraphvizError& e) {
    throw InputError(request.model, fmt::format("{} (try --format dot, --collapse or --focus)", firstLine(e.what())));
  }
}

}  // namespace jitscope
