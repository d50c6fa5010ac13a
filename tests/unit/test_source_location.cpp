#include "jitscope/inspector/source_location.h"

#include <gtest/gtest.h>

namespace jitscope {
namespace {

TEST(ParseTracerStack, ReadsFramesInnermostFirst) {
  const auto frames = parseTracerStack(
      "/usr/lib/python3/dist-packages/torch/nn/modules/linear.py(114): forward\n"
      "/home/me/model (v2)/net.py(15): forward\n"
      "/home/me/export.py(40): <module>\n");
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].file, "/usr/lib/python3/dist-packages/torch/nn/modules/linear.py");
  EXPECT_EQ(frames[0].line, 114u);
  EXPECT_EQ(frames[0].function, "forward");
  // Parentheses inside a path do not confuse the parser.
  EXPECT_EQ(frames[1].file, "/home/me/model (v2)/net.py");
  EXPECT_EQ(frames[1].line, 15u);
  EXPECT_EQ(frames[2].function, "<module>");
}

TEST(ParseTracerStack, RejectsScriptedSourceText) {
  EXPECT_TRUE(parseTracerStack("    def forward(self, x):\n        return x\n").empty());
  EXPECT_TRUE(parseTracerStack("foo(bar): baz\n").empty());
  EXPECT_TRUE(parseTracerStack("").empty());
}

TEST(IsTorchLibraryFile, KnowsTheTorchPackage) {
  EXPECT_TRUE(isTorchLibraryFile("/usr/lib/python3/dist-packages/torch/nn/modules/module.py"));
  EXPECT_TRUE(isTorchLibraryFile("/venv/lib/python3.12/site-packages/torch/nn/functional.py"));
  EXPECT_FALSE(isTorchLibraryFile("/venv/lib/python3.12/site-packages/torchvision/models/resnet.py"));
  EXPECT_FALSE(isTorchLibraryFile("/home/me/torch/model.py"));
}

TEST(SourceLocation, PrintsLikeACompiler) {
  EXPECT_EQ((SourceLocation{"m.py", 12, 8}).str(), "m.py:12:8");
  EXPECT_EQ((SourceLocation{"m.py", 12, 0}).str(), "m.py:12");
  EXPECT_EQ(SourceLocation{}.str(), "<unknown>");
}

}  // namespace
}  // namespace jitscope
