// The static source analysis on Python snippets: what tracing loses is
// flagged at its line, and the static Python that real model code is full of
// (module iteration, membership tests, argument presence, the saved mode,
// is_scripting) is left alone. Each snippet is a method `forward` of class
// `M`, written to a temporary file and read as the audit reads user code.
#include <gtest/gtest.h>
#include <torch/csrc/jit/ir/ir.h>

#include <fstream>
#include <unistd.h>

#include "source_analysis.h"
#include "trace_lines.h"

namespace jitscope {
namespace {

struct Result {
  std::vector<Finding> findings;
  std::string describe() const {
    std::string text;
    for (const auto& f : findings) {
      text += f.check + " at line " + std::to_string(f.location.line) + ": " + f.message + "\n";
    }
    return text.empty() ? "(no findings)" : text;
  }
  bool has(const std::string& check, size_t line) const {
    for (const auto& f : findings) {
      if (f.check == check && f.location.line == line) return true;
    }
    return false;
  }
  bool lossy() const {
    for (const auto& f : findings) {
      if (f.severity >= Severity::kWarning) return true;
    }
    return false;
  }
};

struct Options {
  std::optional<bool> training = false;  ///< the mode saved in the archive
  std::vector<ArgumentKind> parameters = {ArgumentKind::kTensor};
  std::set<std::string> submodules;
  std::set<std::string> tensors;
};

// `body` is the file's text: imports, then `class M(nn.Module):` ... with a
// `def forward`.
Result analyzeSource(const std::string& body, const Options& options = {}) {
  char path[] = "/tmp/jitscope_source_XXXXXX.py";
  const int fd = mkstemps(path, 3);
  EXPECT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << body;
  SourceLocator locator({});
  torch::jit::Graph empty;
  const TraceLines trace(empty, locator);
  Result result;
  auto file = locator.fileForRecordedPath(path);
  EXPECT_TRUE(file);
  if (!file) return result;
  auto forward = file->findMethod("M", "forward");
  EXPECT_TRUE(forward) << "no M.forward in\n" << body;
  if (!forward) return result;
  ModuleFacts facts;
  facts.training = options.training;
  facts.submodules = options.submodules;
  facts.tensors = options.tensors;
  SourceAnalyzer analyzer(locator, trace, result.findings);
  analyzer.analyze(*forward, facts, /*returns_model_output=*/true, &options.parameters);
  unlink(path);
  return result;
}

const char* kHeader =
    "import math\nimport os\nimport random\nimport time\n"
    "import numpy as np\nimport torch\nimport torch.nn.functional as F\nfrom torch import nn\n\n";

// The file for a `forward(self, x)` of a plain `class M(nn.Module)`: `body`
// is its indented lines, the first of them at line 12.
std::string forwardSource(const std::string& body) {
  return std::string(kHeader) + "class M(nn.Module):\n    def forward(self, x):\n" + body;
}

Result analyzeForward(const std::string& body, const Options& options = {}) {
  return analyzeSource(forwardSource(body), options);
}

// `check` is reported at each of `lines`.
void expectAt(const Result& r, const std::string& check, std::initializer_list<size_t> lines) {
  for (size_t line : lines) {
    EXPECT_TRUE(r.has(check, line)) << check << " at line " << line << "\n" << r.describe();
  }
}

TEST(SourceAnalysis, ReadsFStringsAndRawDocstrings) {
  // TorchScript's parser gave up on both and skipped the whole function.
  const auto r = analyzeForward(
      "        r\"\"\"Raw docstring with \\d escapes.\"\"\"\n"
      "        name = f\"{x.shape[0]:>4} rows\"\n"
      "        if x.sum() > 0:\n"
      "            return x\n"
      "        return -x\n");
  EXPECT_TRUE(r.has("trace-data-dependent-branch", 14)) << r.describe();
  EXPECT_EQ(r.findings.size(), 1u) << r.describe();
}

TEST(SourceAnalysis, ModuleDictIterationAndMembershipAreStatic) {
  // torchvision's IntermediateLayerGetter.
  const auto r = analyzeSource(std::string(kHeader) +
                               "class M(nn.ModuleDict):\n"
                               "    def forward(self, x):\n"
                               "        out = {}\n"
                               "        for name, module in self.items():\n"
                               "            x = module(x)\n"
                               "            if name in self.return_layers:\n"
                               "                out[self.return_layers[name]] = x\n"
                               "        return out\n");
  EXPECT_FALSE(r.lossy()) << r.describe();
}

TEST(SourceAnalysis, ArgumentPresenceIsStatic) {
  const auto r = analyzeSource(std::string(kHeader) +
                               "class M(nn.Module):\n"
                               "    def forward(self, x, mask=None, lengths=None):\n"
                               "        if mask is not None:\n"
                               "            x = x * mask\n"
                               "        if lengths is None:\n"
                               "            return x\n"
                               "        return x[: lengths.max()]\n");
  EXPECT_FALSE(r.lossy()) << r.describe();
}

TEST(SourceAnalysis, TrainingBranchFollowsTheSavedMode) {
  const std::string source = forwardSource(
      "        if self.training:\n"
      "            x = x * torch.rand(1).item()\n"
      "        if self.training and torch.rand(1).item() < 0.5:\n"
      "            return x\n"
      "        return x\n");
  Options eval;
  const auto in_eval = analyzeSource(source, eval);
  EXPECT_FALSE(in_eval.lossy()) << in_eval.describe();
  Options train;
  train.training = true;
  const auto in_train = analyzeSource(source, train);
  EXPECT_TRUE(in_train.has("trace-training-branch", 12)) << in_train.describe();
}

TEST(SourceAnalysis, ScriptingOnlyCodeIsNotRead) {
  const auto r = analyzeForward(
      "        if torch.jit.is_scripting():\n"
      "            n = int(x.sum().item())\n"
      "            return x[:n]\n"
      "        if not torch.jit.is_tracing():\n"
      "            print(x.max().item())\n"
      "        for k in (1, 2, 3):\n"
      "            x = x + k\n"
      "        return F.dropout(x, p=0.0, training=self.training)\n");
  EXPECT_FALSE(r.lossy()) << r.describe();
}

TEST(SourceAnalysis, TupleArgumentsHaveAFixedLength) {
  const std::string source = std::string(kHeader) +
                             "class M(nn.Module):\n"
                             "    def forward(self, xs):\n"
                             "        total = xs[0]\n"
                             "        for x in xs:\n"
                             "            total = total + x\n"
                             "        return total * len(xs)\n";
  Options tuple;
  tuple.parameters = {ArgumentKind::kTensorList};
  EXPECT_FALSE(analyzeSource(source, tuple).lossy()) << analyzeSource(source, tuple).describe();
  const auto tensor = analyzeSource(source);  // a tensor argument: rows are unrolled
  EXPECT_TRUE(tensor.has("trace-tensor-iteration", 13)) << tensor.describe();
}

TEST(SourceAnalysis, DtypeDecisionsAreFlagged) {
  const auto r = analyzeForward(
      "        if x.dtype == torch.float16:\n"
      "            x = x.float()\n"
      "        if x.is_floating_point():\n"
      "            x = x * 2\n"
      "        fill = torch.finfo(x.dtype).min\n"
      "        z = torch.zeros(3, dtype=x.dtype)\n"
      "        y = x.to(x.dtype)\n"
      "        w = torch.zeros_like(x)\n"
      "        return x.masked_fill(x < 0, fill) + z.sum() + y + w\n");
  expectAt(r, "trace-dtype-dependent", {12, 14, 16, 17, 18});
  EXPECT_FALSE(r.has("trace-dtype-dependent", 19)) << r.describe();
}

TEST(SourceAnalysis, ValuesFromOutsideTorchAreBaked) {
  const auto r = analyzeSource(std::string(kHeader) +
                               "import numpy.random as npr\n"
                               "class M(nn.Module):\n"
                               "    def forward(self, x):\n"
                               "        a = np.random.rand()\n"
                               "        b = random.random()\n"
                               "        c = time.time()\n"
                               "        d = float(os.environ.get('SCALE', '1'))\n"
                               "        e = npr.uniform()\n"
                               "        noise = torch.randn_like(x)\n"
                               "        return x * a * b * c * d * e + noise\n");
  expectAt(r, "trace-outside-torch", {13, 14, 15, 16, 17});
  EXPECT_FALSE(r.has("trace-random-op", 18)) << "torch.randn_like stays an op:\n" << r.describe();
}

TEST(SourceAnalysis, PythonBuiltinsOnSizes) {
  Options o;
  o.tensors = {"pos"};
  const auto r = analyzeForward(
      "        h, w = x.shape[-2:]\n"
      "        s = min(h, w)\n"
      "        pad = math.ceil(h / 8) * 8 - h\n"
      "        table = [1.0, 2.0, 3.0]\n"
      "        k = table[x.argmax()]\n"
      "        pos = self.pos[:, : x.size(1)]\n"
      "        return x[..., :s] * k + pad + pos\n",
      o);
  expectAt(r, "trace-shape-dependent-branch", {13});
  expectAt(r, "trace-python-number", {14, 16});
  EXPECT_EQ(r.findings.size(), 3u) << r.describe();
}

TEST(SourceAnalysis, HelpersReturnWhatTheyCompute) {
  // A helper returning a size makes the caller's `if` shape-dependent.
  const auto r = analyzeSource(std::string(kHeader) +
                               "class M(nn.Module):\n"
                               "    def length(self, x):\n"
                               "        return x.size(1)\n"
                               "    def forward(self, x):\n"
                               "        if self.length(x) > 4:\n"
                               "            return x[:, :4]\n"
                               "        return x\n");
  EXPECT_TRUE(r.has("trace-shape-dependent-branch", 14)) << r.describe();
}

TEST(SourceAnalysis, DeviceBranchesAreFlagged) {
  const auto r = analyzeForward(
      "        if x.is_cuda:\n"
      "            return x.half()\n"
      "        return x\n");
  EXPECT_TRUE(r.has("trace-baked-device", 12)) << r.describe();
}

TEST(SourceAnalysis, RecurrentLayerOnAPackedSequenceBakesTheBatchSize) {
  // Verified with torch 1.13: traced with batch 2, batch 3 fails with a size
  // mismatch in the GRU's initial state; lengths may change freely.
  Options o;
  o.parameters = {ArgumentKind::kTensor, ArgumentKind::kTensor};
  o.submodules = {"rnn"};
  const auto r = analyzeSource(std::string(kHeader) +
                               "from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence\n"
                               "class M(nn.Module):\n"
                               "    def forward(self, x, lengths):\n"
                               "        packed = pack_padded_sequence(x, lengths, batch_first=True)\n"
                               "        out, _ = self.rnn(packed)\n"
                               "        h0 = x.new_zeros(1, x.size(0), 3)\n"
                               "        again, _ = self.rnn(packed, h0)\n"
                               "        return pad_packed_sequence(out, batch_first=True)[0]\n",
                               o);
  EXPECT_TRUE(r.has("trace-python-number", 14)) << r.describe();
  EXPECT_EQ(r.findings.size(), 1u) << r.describe();
}

TEST(SourceAnalysis, TensorsBuiltFromSizesOrTensorsAreConstants) {
  const auto r = analyzeForward(
      "        shape = torch.tensor(x.shape)\n"
      "        copy = torch.tensor(x)\n"
      "        sizes = x.new_tensor([x.size(0), x.size(1)])\n"
      "        last = torch.tensor(x.shape[-1])\n"
      "        return shape.sum() + copy + sizes.sum() + last\n");
  expectAt(r, "trace-constant-tensor", {12, 13, 14});
  EXPECT_FALSE(r.has("trace-constant-tensor", 15)) << "a bare size is traced:\n" << r.describe();
}

TEST(SourceAnalysis, ABranchWithTheSameCodeOnBothSidesIsANote) {
  const auto r = analyzeForward(
      "        if x.sum() > 0:\n"
      "            y = x * 2  # positive\n"
      "        else:\n"
      "            y = x*2\n"
      "        return y\n");
  EXPECT_TRUE(r.has("trace-data-dependent-branch", 12)) << r.describe();
  EXPECT_FALSE(r.lossy()) << r.describe();
}

TEST(SourceAnalysis, AnInputCheckThatOnlyRaisesIsANote) {
  // torchaudio's ConvTasNet.forward: valid inputs behave as in eager.
  const auto r = analyzeForward(
      "        if x.ndim != 3 or x.shape[1] != 1:\n"
      "            raise ValueError(f\"Expected 3D. Found: {x.shape}\")\n"
      "        return x * 2\n");
  EXPECT_TRUE(r.has("trace-shape-dependent-branch", 12)) << r.describe();
  EXPECT_FALSE(r.lossy()) << r.describe();
}

TEST(SourceAnalysis, DetectionPreprocessingIdiomsAreStatic) {
  // torchvision's GeneralizedRCNNTransform, reduced: a list annotated
  // List[Tensor] (its length fixed by the trace), a target left at None,
  // loops over a Size and over range(x.dim()), key tests on a dict of
  // tensors, and a tracing-only branch that returns early.
  Options o;
  o.parameters = {ArgumentKind::kTensor};
  const auto r = analyzeSource(std::string(kHeader) +
                               "import torchvision\n"
                               "from typing import List, Optional, Dict\n"
                               "class M(nn.Module):\n"
                               "    def forward(self, images: List[torch.Tensor],\n"
                               "                targets: Optional[List[Dict[str, torch.Tensor]]] = None):\n"
                               "        images = [img for img in images]\n"
                               "        if targets is not None:\n"
                               "            for t in targets:\n"
                               "                n = int(t['boxes'].shape[0])\n"
                               "        sizes = [img.shape[-2:] for img in images]\n"
                               "        for size in sizes:\n"
                               "            assert len(size) == 2\n"
                               "        for i in range(images[0].dim()):\n"
                               "            pass\n"
                               "        for a, b in zip(images[0].shape, images[-1].shape):\n"
                               "            pass\n"
                               "        target = {'boxes': images[0]}\n"
                               "        if 'keypoints' in target:\n"
                               "            target = {}\n"
                               "        if torchvision._is_tracing():\n"
                               "            return torch.stack(images)\n"
                               "        h = int(images[0].shape[-1])\n"
                               "        return images[0][:h]\n",
                               o);
  EXPECT_FALSE(r.lossy()) << r.describe();
}

TEST(SourceAnalysis, ARankBranchIsANote) {
  // torchaudio's `if waveform.ndim == 1: waveform = waveform.unsqueeze(0)`.
  const auto r = analyzeForward(
      "        if x.ndim == 1:\n"
      "            x = x.unsqueeze(0)\n"
      "        if x.dim() == 3 and x.size(0) > 1:\n"
      "            x = x[0]\n"
      "        return x\n");
  expectAt(r, "trace-shape-dependent-branch", {12, 14});
  for (const auto& f : r.findings) {
    EXPECT_EQ(f.severity, f.location.line == 12 ? Severity::kNote : Severity::kWarning) << r.describe();
  }
}

TEST(SourceAnalysis, GlobalStateAndSeedingInForward) {
  const auto r = analyzeSource(std::string(kHeader) +
                               "CALLS = 0\n"
                               "class M(nn.Module):\n"
                               "    def forward(self, x):\n"
                               "        global CALLS\n"
                               "        CALLS += 1\n"
                               "        torch.manual_seed(0)\n"
                               "        if len(x.shape) == 4:\n"
                               "            x = x.flatten(1)\n"
                               "        return x * CALLS + torch.rand_like(x)\n");
  EXPECT_TRUE(r.has("trace-python-state", 14)) << r.describe();
  EXPECT_TRUE(r.has("trace-random-op", 15)) << r.describe();
  // len(x.shape) is the rank: a note.
  for (const auto& f : r.findings) {
    if (f.location.line == 16) EXPECT_EQ(f.severity, Severity::kNote) << r.describe();
  }
}

TEST(SourceAnalysis, DeepNestingIsANoteNotACrash) {
  std::string deep = "x";
  for (int i = 0; i < 5000; ++i) deep = "(" + deep + " + 1)";
  const auto r = analyzeForward("        return " + deep + "\n");
  ASSERT_EQ(r.findings.size(), 1u) << r.describe();
  EXPECT_EQ(r.findings[0].check, "audit-source-unavailable");
}

TEST(SourceAnalysis, UnparsableTextIsANote) {
  const auto r = analyzeForward(
      "        y = x $ 2\n"
      "        if x.sum() > 0:\n"
      "            return x\n"
      "        return y\n");
  bool noted = false;
  for (const auto& f : r.findings) noted = noted || f.check == "audit-source-unavailable";
  EXPECT_TRUE(noted) << r.describe();
}

}  // namespace
}  // namespace jitscope
