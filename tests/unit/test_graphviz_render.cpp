// In-process Graphviz: the formats come out as what they claim to be, and a
// graph Graphviz rejects is one GraphvizError line, not a crash or stderr.
#include "jitscope/report/graphviz_render.h"

#include <gtest/gtest.h>

namespace jitscope {
namespace {

const char* kSmall = "digraph g { a -> b; subgraph cluster_x { label=\"x\"; c; } b -> c; }";

TEST(GraphvizRender, SvgIsAnSvgDocumentKeepingNodeIds) {
  const std::string svg = renderGraphviz(
      "digraph g { a [id=\"n1\", tooltip=\"t\"]; a -> b; }", ImageFormat::kSvg);
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("id=\"n1\""), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(GraphvizRender, PngAndPdfHaveTheirMagicBytes) {
  if (!canRender(ImageFormat::kPng)) GTEST_SKIP() << "built without Graphviz's cairo plugin";
  const std::string png = renderGraphviz(kSmall, ImageFormat::kPng);
  ASSERT_GT(png.size(), 8u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  const std::string pdf = renderGraphviz(kSmall, ImageFormat::kPdf);
  EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
}

TEST(GraphvizRender, DotIsPassedThroughUnchanged) {
  EXPECT_EQ(renderGraphviz(kSmall, ImageFormat::kDot), kSmall);
}

TEST(GraphvizRender, SyntaxErrorIsOneLine) {
  try {
    renderGraphviz("digraph g { a -> ; }", ImageFormat::kSvg);
    FAIL() << "no error";
  } catch (const GraphvizError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_NE(what.find("could not read"), std::string::npos) << what;
  }
  // The context is clean afterwards.
  EXPECT_NE(renderGraphviz(kSmall, ImageFormat::kSvg).find("</svg>"), std::string::npos);
}

// renderDot escapes label text as XML (apostrophes as &#39;; test_graph_view
// checks that side); Graphviz must read all of it back as text.
TEST(GraphvizRender, EscapedLabelTextRendersAsText) {
  const std::string svg = renderGraphviz(
      "digraph g { a [label=<<B>s=&#39;it&#39;s &lt;b&gt; &amp; &quot;q&quot;&#39;</B>>]; }", ImageFormat::kSvg);
  EXPECT_NE(svg.find(">s=&#39;it&#39;s &lt;b&gt; &amp; &quot;q&quot;&#39;</text>"), std::string::npos) << svg;
}

TEST(GraphvizRender, FormatNames) {
  EXPECT_EQ(imageFormatFromName("svg"), ImageFormat::kSvg);
  EXPECT_EQ(imageFormatFromName("gv"), ImageFormat::kDot);
  EXPECT_FALSE(imageFormatFromName("jpeg").has_value());
}

}  // namespace
}  // namespace jitscope
