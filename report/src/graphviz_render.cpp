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
extern gvplugin_library_t gvplugin_neato_layout_LTX_library;  // nop2: draw as placed
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

struct GraphDeleter {
  void operator()(Agraph_t* graph) const { agclose(graph); }
};

std::string failure(const std::string& what) {
  const std::string& detail = lastError();
  return detail.empty() ? what : what + ": " + detail;
}

// One context for the process: the hierarchical layout runs dot once per
// distinct module, and a context costs a plugin registration each time.
// Never freed (it lives as long as the process, as Graphviz's own tools do).
GVC_t* context() {
  // Passed as "preloaded" libraries so that they are registered before
  // the context picks its text-layout engine (pango's, when linked; the
  // core estimate of text widths otherwise).
  static const lt_symlist_t builtins[] = {
      {"gvplugin_core_LTX_library", &gvplugin_core_LTX_library},
      {"gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library},
      {"gvplugin_neato_layout_LTX_library", &gvplugin_neato_layout_LTX_library},
#ifdef JITSCOPE_GRAPHVIZ_CAIRO
      {"gvplugin_pango_LTX_library", &gvplugin_pango_LTX_library},
#endif
      {nullptr, nullptr}};
  static GVC_t* const gvc = gvContextPlugins(builtins, 0);
  return gvc;
}

std::unique_ptr<Agraph_t, GraphDeleter> readDot(const std::string& dot) {
  lastError().clear();
  agseterr(AGERR);  // warnings (e.g. about fonts) are not the user's problem
  agseterrf(&collectError);
  std::unique_ptr<Agraph_t, GraphDeleter> graph(agmemread(dot.c_str()));
  if (!graph) throw GraphvizError(failure("Graphviz could not read the DOT"));
  return graph;
}

LayoutPoint point(pointf p) { return {p.x, p.y}; }

LayoutBox box(boxf b) { return {b.LL.x, b.LL.y, b.UR.x, b.UR.y}; }

std::optional<LayoutPoint> labelPosition(const textlabel_t* label) {
  if (label == nullptr || !label->set) return std::nullopt;
  return point(label->pos);
}

void readClusters(Agraph_t* graph, DotLayout& layout) {
  for (int i = 1; i <= GD_n_cluster(graph); ++i) {
    Agraph_t* cluster = GD_clust(graph)[i];
    layout.clusters[agnameof(cluster)] = {box(GD_bb(cluster)), labelPosition(GD_label(cluster))};
    readClusters(cluster, layout);
  }
}

}  // namespace

DotLayout layOutDot(const std::string& dot) {
  auto graph = readDot(dot);
  if (gvLayout(context(), graph.get(), "dot") != 0) {
    throw GraphvizError(failure("Graphviz could not lay out the graph"));
  }
  DotLayout layout;
  layout.box = box(GD_bb(graph.get()));
  layout.label = labelPosition(GD_label(graph.get()));
  readClusters(graph.get(), layout);
  char id_name[] = "id";
  for (Agnode_t* node = agfstnode(graph.get()); node; node = agnxtnode(graph.get(), node)) {
    layout.nodes[agnameof(node)] = {point(ND_coord(node)), ND_width(node) * 72, ND_height(node) * 72};
    for (Agedge_t* edge = agfstout(graph.get(), node); edge; edge = agnxtout(graph.get(), edge)) {
      const char* id = agget(edge, id_name);
      if (id == nullptr || *id == '\0' || ED_spl(edge) == nullptr) continue;
      EdgePlacement placed;
      const splines* spl = ED_spl(edge);
      for (int b = 0; b < spl->size; ++b) {
        const bezier& curve = spl->list[b];
        // Several pieces only for edges dot splits (flat edges with labels):
        // joined end to start they make one curve.
        for (int k = placed.curve.empty() ? 0 : 1; k < curve.size; ++k) {
          placed.curve.push_back(point(curve.list[k]));
        }
        if (curve.eflag) placed.head = point(curve.ep);
      }
      placed.label = labelPosition(ED_label(edge));
      layout.edges[id] = std::move(placed);
    }
  }
  gvFreeLayout(context(), graph.get());
  return layout;
}

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

std::string renderGraphviz(const std::string& dot, ImageFormat format, GraphvizLayout layout) {
  if (format == ImageFormat::kDot) return dot;
  if (!canRender(format)) {
    throw GraphvizError(std::string("this build has no Graphviz cairo plugin, so it cannot "
                                    "write ") +
                        std::string(toString(format)) + "; write svg or dot instead");
  }
  auto graph = readDot(dot);
  GVC_t* gvc = context();
  if (gvLayout(gvc, graph.get(), layout == GraphvizLayout::kDot ? "dot" : "nop2") != 0) {
    throw GraphvizError(failure("Graphviz could not lay out the graph"));
  }
  const char* renderer = format == ImageFormat::kSvg   ? "svg"
                         : format == ImageFormat::kPng ? "png:cairo"
                                                       : "pdf:cairo";
  char* data = nullptr;
  unsigned int length = 0;
  const int status = gvRenderData(gvc, graph.get(), renderer, &data, &length);
  std::string bytes;
  if (status == 0 && data != nullptr) bytes.assign(data, length);
  if (data != nullptr) gvFreeRenderData(data);
  gvFreeLayout(gvc, graph.get());
  if (status != 0) throw GraphvizError(failure(std::string("Graphviz could not render ") + renderer));
  return bytes;
}

}  // namespace jitscope
