#include "jitscope/report/graphviz_render.h"

#include <cgraph.h>  // pkg-config puts .../include/graphviz on the path
#include <gvc.h>
#include <gvplugin.h>

#include <memory>

// Graphviz normally finds its plugins through a config file written at
// install time; linking the plugins we use and registering them by hand
// makes rendering work wherever the libraries are, including a machine
// where they were unpacked from .deb files into a private prefix.
extern "C" {
extern gvplugin_library_t gvplugin_core_LTX_library;
extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
#ifdef JITSCOPE_GRAPHVIZ_CAIRO
extern gvplugin_library_t gvplugin_pango_LTX_library;
#endif
}

namespace jitscope {
namespace {

// Graphviz reports errors through a callback; keep the first one.
std::string& lastError() {
  static std::string message;
  return message;
}

int collectError(char* message) {
  std::string& last = lastError();
  if (last.empty() && message != nullptr) {
    last = message;
    while (!last.empty() && (last.back() == '\n' || last.back() == ' ')) last.pop_back();
  }
  return 0;
}

struct ContextDeleter {
  void operator()(GVC_t* gvc) const { gvFreeContext(gvc); }
};
struct GraphDeleter {
  void operator()(Agraph_t* graph) const { agclose(graph); }
};

std::string failure(const std::string& what) {
  const std::string& detail = lastError();
  return detail.empty() ? what : what + ": " + detail;
}

}  // namespace

std::optional<ImageFormat> imageFormatFromName(std::string_view name) {
  if (name == "svg") return ImageFormat::kSvg;
  if (name == "png") return ImageFormat::kPng;
  if (name == "pdf") return ImageFormat::kPdf;
  if (name == "dot" || name == "gv") return ImageFormat::kDot;
  return std::nullopt;
}

std::string_view toString(ImageFormat format) {
  switch (format) {
    case ImageFormat::kSvg: return "svg";
    case ImageFormat::kPng: return "png";
    case ImageFormat::kPdf: return "pdf";
    case ImageFormat::kDot: return "dot";
  }
  return "?";
}

bool canRender(ImageFormat format) {
#ifdef JITSCOPE_GRAPHVIZ_CAIRO
  (void)format;
  return true;
#else
  return format == ImageFormat::kSvg || format == ImageFormat::kDot;
#endif
}

std::string renderGraphviz(const std::string& dot, ImageFormat format) {
  if (format == ImageFormat::kDot) return dot;
  if (!canRender(format)) {
    throw GraphvizError(std::string("this build has no Graphviz cairo plugin, so it cannot "
                                    "write ") +
                        std::string(toString(format)) + "; write svg or dot instead");
  }
  lastError().clear();
  agseterr(AGERR);  // warnings (e.g. about fonts) are not the user's problem
  agseterrf(&collectError);

  // Passed as "preloaded" libraries so that they are registered before
  // the context picks its text-layout engine (pango's, when linked; the
  // core estimate of text widths otherwise).
  static const lt_symlist_t builtins[] = {
      {"gvplugin_core_LTX_library", &gvplugin_core_LTX_library},
      {"gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library},
#ifdef JITSCOPE_GRAPHVIZ_CAIRO
      {"gvplugin_pango_LTX_library", &gvplugin_pango_LTX_library},
#endif
      {nullptr, nullptr}};
  std::unique_ptr<GVC_t, ContextDeleter> gvc(gvContextPlugins(builtins, 0));

  std::unique_ptr<Agraph_t, GraphDeleter> graph(agmemread(dot.c_str()));
  if (!graph) throw GraphvizError(failure("Graphviz could not read the DOT"));
  if (gvLayout(gvc.get(), graph.get(), "dot") != 0) {
    throw GraphvizError(failure("Graphviz could not lay out the graph"));
  }
  const char* renderer = format == ImageFormat::kSvg   ? "svg"
                         : format == ImageFormat::kPng ? "png:cairo"
                                                       : "pdf:cairo";
  char* data = nullptr;
  unsigned int length = 0;
  const int status = gvRenderData(gvc.get(), graph.get(), renderer, &data, &length);
  std::string bytes;
  if (status == 0 && data != nullptr) bytes.assign(data, length);
  if (data != nullptr) gvFreeRenderData(data);
  gvFreeLayout(gvc.get(), graph.get());
  if (status != 0) throw GraphvizError(failure(std::string("Graphviz could not render ") + renderer));
  return bytes;
}

}  // namespace jitscope
