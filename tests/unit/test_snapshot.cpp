// Snapshots and their diff on the ci/ fixture group (models/jitscope_fixtures/ci.py):
// two exports of one model are the same; a changed weight, an added op, a lost
// branch and a changed schema are each reported under their own kind.
#include "jitscope/validators/snapshot.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "fixtures.h"
#include "jitscope/core/errors.h"
#include "jitscope/inspector/model.h"
#include "jitscope/validators/snapshot_diff.h"

namespace jitscope {
namespace {

using testing::fixture;

Snapshot snap(const std::string& name) {
  SnapshotOptions options;
  options.inputs = fixture("ci/inputs/gate.pt");
  const std::string path = fixture("ci/" + name);
  return takeSnapshot(loadModel(path), path, options);
}

SnapshotDiff diffOf(const std::string& old_name, const std::string& new_name) {
  return diffSnapshots(snap(old_name), snap(new_name), {});
}

std::vector<ChangeKind> kinds(const SnapshotDiff& diff) {
  std::vector<ChangeKind> out;
  for (const auto& change : diff.changes) out.push_back(change.kind);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

const Change* find(const SnapshotDiff& diff, ChangeKind kind, const std::string& subject) {
  for (const auto& change : diff.changes) {
    if (change.kind == kind && change.subject == subject) return &change;
  }
  return nullptr;
}

TEST(Snapshot, RecordsSchemaOpsParametersAndOutputs) {
  const Snapshot s = snap("gate.scripted.pt");
  ASSERT_EQ(s.methods.size(), 1u);
  EXPECT_EQ(s.methods[0].schema, "forward(Tensor x) -> Tensor");
  EXPECT_EQ(s.methods[0].fingerprint.size(), 40u);
  EXPECT_NE(std::find(s.ops.begin(), s.ops.end(), "aten::linear"), s.ops.end());
  EXPECT_NE(std::find(s.ops.begin(), s.ops.end(), "aten::tanh"), s.ops.end());
  ASSERT_EQ(s.parameters.size(), 2u);
  EXPECT_EQ(s.parameters[0].name, "linear.bias");
  EXPECT_EQ(s.parameters[1].name, "linear.weight");
  EXPECT_EQ(s.parameters[1].shape, (std::vector<int64_t>{4, 4}));
  EXPECT_EQ(s.provenance, "scripted");
  ASSERT_EQ(s.outputs.size(), 1u);
  EXPECT_EQ(s.outputs[0].name, "output");
  EXPECT_EQ(s.outputs[0].values.size(), 12u);
  bool has_if = false;
  for (const auto& [key, count] : s.methods[0].structure) has_if |= key.find("ci.py:") != std::string::npos &&
                                                                    key.find("prim::If") != std::string::npos;
  EXPECT_TRUE(has_if) << "the structure keys the `if` by its source line";
}

TEST(Snapshot, TwoExportsOfTheSameModelHaveTheSameSnapshot) {
  Snapshot a = snap("gate.scripted.pt");
  Snapshot b = snap("gate.resaved.scripted.pt");
  EXPECT_EQ(a.methods[0].fingerprint, b.methods[0].fingerprint);
  b.model = a.model;
  EXPECT_EQ(snapshotToJson(a), snapshotToJson(b));
  EXPECT_TRUE(diffSnapshots(a, b, {}).same());
}

TEST(Snapshot, LoadingTwiceGivesIdenticalJson) {
  EXPECT_EQ(snapshotToJson(snap("gate.traced.pt")), snapshotToJson(snap("gate.traced.pt")));
  const std::string path = fixture("resnet18.traced.pt");
  const LoadedModel first = loadModel(path);
  const LoadedModel second = loadModel(path);
  EXPECT_EQ(canonicalGraphText(first, "forward"), canonicalGraphText(second, "forward"));
}

// torch.jit.load + torch.jit.save of transformer_encoder.scripted.pt in
// Python gives aten::warn nodes other warn_ids (a per-process counter); the
// fingerprint must not see them. Two loads in one process number them apart too.
TEST(Snapshot, WarnIdsDoNotReachTheFingerprint) {
  const std::string path = fixture("transformer_encoder.scripted.pt");
  const LoadedModel first = loadModel(path);
  const LoadedModel second = loadModel(path);
  const std::string text = canonicalGraphText(first, "forward");
  EXPECT_NE(text.find("aten::warn"), std::string::npos) << "the fixture no longer has aten::warn";
  EXPECT_EQ(text.find("warn_id"), std::string::npos);
  EXPECT_EQ(text, canonicalGraphText(second, "forward"));
}

TEST(Snapshot, CanonicalTextHasNoDebugNamesOrMangling) {
  const std::string text = canonicalGraphText(loadModel(fixture("ci/gate.resaved.scripted.pt")), "forward");
  EXPECT_EQ(text.find("___torch_mangle"), std::string::npos);
  EXPECT_EQ(text.find("%x"), std::string::npos) << text;
  EXPECT_EQ(text.find("%y"), std::string::npos) << "names inside the if's blocks:\n" << text;
  EXPECT_EQ(text.find(".py:"), std::string::npos) << "source locations:\n" << text;
  EXPECT_NE(text.find("%0"), std::string::npos) << text;
}

TEST(Snapshot, JsonRoundTrips) {
  const Snapshot s = snap("gate.traced.pt");
  const std::string json = snapshotToJson(s);
  EXPECT_EQ(snapshotToJson(snapshotFromJson(json, "snap.json")), json);
}

TEST(Snapshot, ForeignJsonIsAnInputError) {
  EXPECT_THROW(snapshotFromJson("{\"a\": 1}", "x.json"), InputError);
  EXPECT_THROW(snapshotFromJson("{\"format\": \"jitscope-snapshot\", \"version\": 99}", "x.json"), InputError);
  EXPECT_THROW(snapshotFromJson("{", "x.json"), InputError);
}

TEST(SnapshotDiff, SelfIsClean) {
  const SnapshotDiff diff = diffOf("gate.scripted.pt", "gate.scripted.pt");
  EXPECT_TRUE(diff.same());
  EXPECT_TRUE(diff.notes.empty());
}

TEST(SnapshotDiff, ChangedWeightChangesParameterAndOutputsOnly) {
  const SnapshotDiff diff = diffOf("gate.scripted.pt", "gate.weight.scripted.pt");
  EXPECT_EQ(kinds(diff), (std::vector<ChangeKind>{ChangeKind::kParameters, ChangeKind::kOutputs}));
  EXPECT_NE(find(diff, ChangeKind::kParameters, "linear.weight"), nullptr);
  EXPECT_EQ(find(diff, ChangeKind::kParameters, "linear.bias"), nullptr);
}

TEST(SnapshotDiff, ChangedWeightWithinToleranceIsStillAParameterChange) {
  DiffOptions loose;
  loose.tolerance.atol = 10;
  const SnapshotDiff diff = diffSnapshots(snap("gate.scripted.pt"), snap("gate.weight.scripted.pt"), loose);
  EXPECT_EQ(kinds(diff), (std::vector<ChangeKind>{ChangeKind::kParameters}));
}

TEST(SnapshotDiff, AddedOpIsReportedWithItsSourceLine) {
  const SnapshotDiff diff = diffOf("gate.scripted.pt", "gate.extra_op.scripted.pt");
  EXPECT_NE(find(diff, ChangeKind::kOps, "aten::relu"), nullptr);
  const Change* graph = find(diff, ChangeKind::kGraph, "forward");
  ASSERT_NE(graph, nullptr);
  const bool relu_added = std::any_of(graph->details.begin(), graph->details.end(), [](const std::string& line) {
    return line.rfind("+ (root) | ci.py:", 0) == 0 && line.find("aten::relu") != std::string::npos;
  });
  EXPECT_TRUE(relu_added) << graph->message;
}

TEST(SnapshotDiff, LostBranchIsReported) {
  const SnapshotDiff diff = diffOf("gate.scripted.pt", "gate.traced.pt");
  const Change* graph = find(diff, ChangeKind::kGraph, "forward");
  ASSERT_NE(graph, nullptr);
  const bool if_removed = std::any_of(graph->details.begin(), graph->details.end(), [](const std::string& line) {
    return line.rfind("- ", 0) == 0 && line.find("prim::If") != std::string::npos;
  });
  EXPECT_TRUE(if_removed) << graph->message;
  EXPECT_NE(find(diff, ChangeKind::kProvenance, "model"), nullptr);
  EXPECT_NE(find(diff, ChangeKind::kFindings, "trace-data-dependent-branch"), nullptr);
}

TEST(SnapshotDiff, ChangedSchemaIsTheOnlyChangeOfARename) {
  const SnapshotDiff diff = diffOf("gate.scripted.pt", "gate.schema.scripted.pt");
  ASSERT_EQ(kinds(diff), (std::vector<ChangeKind>{ChangeKind::kSchema}));
  EXPECT_EQ(diff.changes[0].message, "'forward(Tensor x) -> Tensor' -> 'forward(Tensor features) -> Tensor'");
}

TEST(SnapshotDiff, AnotherLibTorchIsANoteNotAChange) {
  Snapshot a = snap("gate.scripted.pt");
  Snapshot b = a;
  // Any version but the one running (the suite also runs on LibTorch 2.x).
  b.libtorch = a.libtorch == "1.13.0" ? "2.11.0" : "1.13.0";
  const SnapshotDiff diff = diffSnapshots(a, b, {});
  EXPECT_TRUE(diff.same());
  ASSERT_EQ(diff.notes.size(), 1u);
  EXPECT_NE(diff.notes[0].find(b.libtorch), std::string::npos);
}

TEST(SnapshotDiff, OutputsOnDifferentInputsAreNotCompared) {
  Snapshot a = snap("gate.scripted.pt");
  Snapshot b = snap("gate.weight.scripted.pt");
  b.inputs_digest = "0";
  const SnapshotDiff diff = diffSnapshots(a, b, {});
  EXPECT_EQ(find(diff, ChangeKind::kOutputs, "output"), nullptr);
  ASSERT_EQ(diff.notes.size(), 1u);
}

}  // namespace
}  // namespace jitscope
