// Lays out DOT text and renders it in-process with Graphviz's cgraph + gvc
// (no `dot` executable involved). The only code that links Graphviz.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "jitscope/report/graph_layout.h"

namespace jitscope {

enum class ImageFormat { kSvg, kPng, kPdf, kDot };

/// "svg", "png", "pdf", "dot" (or "gv"); nullopt for anything else.
std::optional<ImageFormat> imageFormatFromName(std::string_view name);
std::string_view toString(ImageFormat format);

/// PNG and PDF need Graphviz's cairo plugin, which a build may lack (the GPU
/// machine has no cairo); SVG and DOT are always available.
bool canRender(ImageFormat format);

/// Graphviz rejected the DOT or failed to lay it out; what() is one line.
class GraphvizError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class GraphvizLayout {
  kDot,    ///< lay the graph out with `dot`
  kGiven,  ///< draw it where its pos/bb attributes say (neato -n2)
};

/// The rendered file's bytes: the layout, then the format's renderer.
/// kDot format returns `dot` unchanged (no layout).
std::string renderGraphviz(const std::string& dot, ImageFormat format,
                           GraphvizLayout layout = GraphvizLayout::kDot);

/// Lays `dot` out with Graphviz's `dot` and reads back where it put each
/// node, cluster and edge (edges by their `id` attribute): a DotLayoutEngine.
DotLayout layOutDot(const std::string& dot);

}  // namespace jitscope
