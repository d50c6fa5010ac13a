// Reading and generating model inputs: torch.save'd files in each accepted
// form, --shape specs, and the one-line errors for inputs that do not fit
// the method (count, type, dtype, rank), raised before anything runs.
#include "jitscope/inspector/model_inputs.h"

#include <gtest/gtest.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <ATen/ATen.h>

#include <filesystem>
#include <fstream>

#include "fixtures.h"
#include "jitscope/core/errors.h"
#include "jitscope/inspector/model.h"

namespace jitscope {
namespace {

using c10::IValue;
using testing::fixture;

std::string saveValue(const IValue& value, const std::string& name) {
  const auto path = (std::filesystem::temp_directory_path() / ("jitscope_inputs_" + name)).string();
  const auto bytes = torch::jit::pickle_save(value);
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

std::string inputErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.problem();
  }
  return "(no InputError)";
}

TEST(ModelInputs, ReadsATupleFileForEachArgument) {
  const auto model = loadModel(fixture("my_cell.traced.pt"));
  const InputSet set = readInputFile(fixture("inputs/my_cell.pt"), *model.module);
  EXPECT_EQ(set.label, "my_cell.pt");
  ASSERT_EQ(set.args.size(), 2u);
  EXPECT_EQ(set.args[0].toTensor().sizes(), (std::vector<int64_t>{3, 4}));
}

TEST(ModelInputs, ReadsADictByArgumentName) {
  const auto model = loadModel(fixture("my_cell.scripted.pt"));
  c10::impl::GenericDict dict(c10::StringType::get(), c10::TensorType::get());
  dict.insert("h", at::zeros({3, 4}));
  dict.insert("x", at::ones({3, 4}));
  const InputSet set = readInputFile(saveValue(dict, "dict.pt"), *model.module);
  ASSERT_EQ(set.args.size(), 2u);
  EXPECT_EQ(set.args[0].toTensor().sum().item<double>(), 12);  // x, whatever the dict order
  EXPECT_EQ(set.args[1].toTensor().sum().item<double>(), 0);

  c10::impl::GenericDict typo(c10::StringType::get(), c10::TensorType::get());
  typo.insert("x", at::ones({3, 4}));
  typo.insert("hh", at::ones({3, 4}));
  EXPECT_EQ(inputErrorOf([&] { readInputFile(saveValue(typo, "typo.pt"), *model.module); }),
            "inputs have an entry 'hh' but forward has no such argument; did you mean 'h'? (x, h)");
}

TEST(ModelInputs, WrongCountNamesTheArguments) {
  const auto model = loadModel(fixture("my_cell.traced.pt"));
  EXPECT_EQ(inputErrorOf([&] { readInputFile(fixture("inputs/resnet18.pt"), *model.module); }),
            "holds 1 input(s) but forward takes 2 (x, h)");
}

TEST(ModelInputs, WrongRankOrDtypeIsRefusedBeforeRunning) {
  const auto resnet = loadModel(fixture("resnet18.scripted.pt"));
  EXPECT_EQ(inputErrorOf([&] { readInputFile(saveValue(IValue(at::zeros({8, 8})), "rank.pt"), *resnet.module); }),
            "argument 'x' (0) of forward should be a 3-D or 4-D float32 tensor (it feeds aten::conv2d), "
            "got a 2-D float32 tensor of shape [8, 8]");
  EXPECT_NE(inputErrorOf([&] {
              readInputFile(saveValue(IValue(at::zeros({1, 3, 8, 8}, at::kDouble)), "dtype.pt"), *resnet.module);
            }).find("should be a 3-D or 4-D float32 tensor"),
            std::string::npos);
  const auto bert = loadModel(fixture("bert_tiny.traced.pt"));
  const IValue floats = c10::ivalue::Tuple::create({at::zeros({1, 16}), at::ones({1, 16}, at::kLong)});
  const std::string why = inputErrorOf([&] { readInputFile(saveValue(floats, "ids.pt"), *bert.module); });
  EXPECT_NE(why.find("argument 'input_ids' (0) of forward should be an integer tensor (it feeds aten::embedding "
                     "as indices), got a 2-D float32 tensor"),
            std::string::npos)
      << why;
}

TEST(ModelInputs, ShapeSpecs) {
  ShapeSpec s = parseShapeSpec("ids=1x128:int64[0,30522)");
  EXPECT_EQ(s.name, "ids");
  EXPECT_EQ(s.sizes, (std::vector<int64_t>{1, 128}));
  EXPECT_EQ(s.dtype, at::kLong);
  ASSERT_TRUE(s.range);
  EXPECT_EQ(s.range->second, 30522);
  s = parseShapeSpec("2x3x224x224");
  EXPECT_TRUE(s.name.empty());
  EXPECT_EQ(s.dtype, at::kFloat);
  EXPECT_TRUE(parseShapeSpec("scalar:float64").sizes.empty());
  for (const char* bad : {"", "2x", "x3", "2x3:float99", "2x3[5,1)", "a b=2"}) {
    EXPECT_THROW(parseShapeSpec(bad), UsageError) << bad;
  }
}

TEST(ModelInputs, GeneratedInputsAreSeededAndChecked) {
  const auto model = loadModel(fixture("bert_tiny.traced.pt"));
  const std::vector<ShapeSpec> specs = {parseShapeSpec("attention_mask=1x16:int64[1,2)"),
                                        parseShapeSpec("1x16:int64[0,1000)")};
  const InputSet a = generateInputs(specs, *model.module, "forward", 7);
  const InputSet b = generateInputs(specs, *model.module, "forward", 7);
  const InputSet c = generateInputs(specs, *model.module, "forward", 8);
  ASSERT_EQ(a.args.size(), 2u);
  EXPECT_TRUE(a.args[0].toTensor().equal(b.args[0].toTensor()));
  EXPECT_FALSE(a.args[0].toTensor().equal(c.args[0].toTensor()));
  EXPECT_EQ(a.args[1].toTensor().min().item<int64_t>(), 1);  // the named one went to attention_mask
  EXPECT_LT(a.args[0].toTensor().max().item<int64_t>(), 1000);
  EXPECT_THROW(generateInputs({parseShapeSpec("1x16:int64")}, *model.module, "forward", 0), UsageError);
  EXPECT_THROW(generateInputs({parseShapeSpec("mask=1x16:int64"), parseShapeSpec("1x16:int64")}, *model.module,
                              "forward", 0),
               UsageError);
  EXPECT_EQ(inputErrorOf([&] {
              generateInputs({parseShapeSpec("1x16"), parseShapeSpec("1x16:int64")}, *model.module, "forward", 0);
            }).substr(0, 60),
            "argument 'input_ids' (0) of forward should be an integer ten");
}

}  // namespace
}  // namespace jitscope
