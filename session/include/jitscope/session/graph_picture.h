// What `jitscope graph` draws, from the request to the bytes: the model
// (and a reference beside it) read with only its code unless example inputs
// are to label the edges, the views, the bound that keeps the default
// picture finishing in seconds (graph_fit.h), and the rendering: Graphviz
// for SVG/PNG/PDF/DOT, or the explorer page. The command line only parses
// options into a GraphRequest and writes the bytes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "jitscope/core/diagnostics.h"
#include "jitscope/report/graph_view.h"
#include "jitscope/report/graphviz_render.h"

namespace jitscope {

struct GraphRequest {
  std::string model;
  std::string reference;  ///< drawn beside the model; "" for none
  std::string method = "forward";
  /// Where the picture goes ("-" for stdout): the note on a folded drawing
  /// names the matching explorer page.
  std::string output;
  bool explorer = false;  ///< the interactive page instead of an image
  ImageFormat format = ImageFormat::kSvg;
  std::optional<size_t> collapse;  ///< --collapse: drawn as asked (the explorer's first state)
  bool full = false;               ///< every box, with no bound on the layout work
  /// focus, radius and highlights; title, module types and id prefixes are
  /// filled per model.
  GraphViewOptions view;
  /// Example inputs (a torch.save file, or --shape specs) run once to give
  /// tensor edges their dtypes and sizes.
  std::string inputs_file;
  std::vector<std::string> shapes;
};

/// The picture's bytes. Notes (what the bounded default folded, --focus) and
/// warnings (a slow layout asked for) go to `diagnostics`. Throws InputError
/// for a model that does not load or a layout Graphviz refuses, UsageError
/// for a focus that names nothing.
std::string drawGraph(const GraphRequest& request, Diagnostics& diagnostics);

}  // namespace jitscope
