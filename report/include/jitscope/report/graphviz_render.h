// Lays out DOT text and renders it in-process with Graphviz's cgraph + gvc
// (no `dot` executable involved). The only code that links Graphviz.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

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

/// The rendered file's bytes: layout with `dot`, then the format's renderer.
/// kDot returns `dot` unchanged (no layout).
std::string renderGraphviz(const std::string& dot, ImageFormat format);

}  // namespace jitscope
