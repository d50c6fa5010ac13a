#include "jitscope/validators/snapshot.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/canonicalize.h>
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <c10/util/hash.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "jitscope/core/errors.h"
#include "jitscope/core/work_counters.h"
#include "jitscope/core/torch_compat.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/model_inputs.h"
#include "jitscope/inspector/module_info.h"
#include "jitscope/inspector/source_location.h"
#include "jitscope/inspector/tensor_format.h"
#include "jitscope/validators/trace_audit.h"

namespace jitscope {
namespace {

std::string baseName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// SHA-1 in hex. c10::sha1 of no bytes reads past its buffer (SIGSEGV on
// the empty detections of an untrained RetinaNet), so the empty input gets
// the digest of the empty string without it.
std::string sha1Hex(const std::string& bytes) {
  if (bytes.empty()) return "da39a3ee5e6b4b0d3255bfef95601890afd80709";
  return c10::sha1(bytes).str();
}

std::string digestOf(const at::Tensor& tensor) {
  if (tensor.numel() == 0) return sha1Hex("");  // no data pointer to read
  const at::Tensor flat = tensor.detach().to(at::kCPU).contiguous();
  const auto* data = static_cast<const char*>(flat.data_ptr());
  return sha1Hex(std::string(data, data + flat.numel() * flat.element_size()));
}

// "forward(__torch__.Gate self, Tensor x) -> Tensor" -> "forward(Tensor x) -> Tensor":
// the class of self is the exporter's (mangled) name, not part of the contract.
std::string schemaWithoutSelf(const c10::FunctionSchema& schema) {
  std::string args;
  for (const auto& arg : schema.arguments()) {
    if (arg.name() == "self") continue;
    std::ostringstream one;
    one << arg;
    args += (args.empty() ? "" : ", ") + one.str();
  }
  std::string returns;
  for (const auto& ret : schema.returns()) {
    returns += (returns.empty() ? "" : ", ") + ret.type()->annotation_str();
  }
  if (schema.returns().size() != 1) returns = "(" + returns + ")";
  return cleanTypeName(fmt::format("{}({}) -> {}", schema.name(), args, returns));
}

bool structural(const torch::jit::Node& node) {
  const auto kind = node.kind();
  return kind != c10::prim::Constant && kind != c10::prim::GetAttr;
}

void walk(const torch::jit::Block& block, MethodSnapshot& method, std::set<std::string>& ops) {
  for (const torch::jit::Node* node : block.nodes()) {
    ++method.nodes;
    if (const c10::FunctionSchema* schema = node->maybeSchema()) {
      ops.insert(schema->overload_name().empty() ? schema->name()
                                                 : schema->name() + "." + schema->overload_name());
    }
    if (structural(*node)) {
      const NodeSource source = nodeSource(*node);
      const std::string where =
          source.location.known() ? fmt::format("{}:{}", baseName(source.location.file), source.location.line) : "-";
      ++method.structure[fmt::format("{} | {} | {}", source.module_path.empty() ? "(root)" : source.module_path,
                                     where, node->kind().toQualString())];
    }
    for (const torch::jit::Block* sub : node->blocks()) walk(*sub, method, ops);
  }
}

double toDouble(const c10::IValue& value) {
  if (value.isDouble()) return value.toDouble();
  if (value.isInt()) return static_cast<double>(value.toInt());
  return value.toBool() ? 1.0 : 0.0;
}

void recordOutput(const c10::IValue& value, const std::string& path, int64_t max_values,
                  std::vector<TensorRecord>& out) {
  if (value.isTensor()) {
    const at::Tensor tensor = value.toTensor().detach().to(at::kCPU);
    TensorRecord record;
    record.name = path;
    record.dtype = dtypeName(tensor.scalar_type());
    record.shape = tensor.sizes().vec();
    record.digest = digestOf(tensor);
    const bool numeric = !tensor.is_complex() && tensor.numel() > 0;
    if (numeric) {
      const at::Tensor wide = tensor.to(at::kDouble);
      record.min = wide.min().item<double>();
      record.max = wide.max().item<double>();
      record.mean = wide.mean().item<double>();
      if (tensor.numel() <= max_values) {
        const at::Tensor flat = wide.contiguous().view(-1);
        record.values.assign(flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel());
        record.has_values = true;
      }
    }
    out.push_back(std::move(record));
  } else if (value.isTuple()) {
    const auto& elements = value.toTupleRef().elements();
    for (size_t i = 0; i < elements.size(); ++i) recordOutput(elements[i], fmt::format("{}[{}]", path, i), max_values, out);
  } else if (value.isList()) {
    const auto list = value.toListRef();
    for (size_t i = 0; i < list.size(); ++i) recordOutput(list[i], fmt::format("{}[{}]", path, i), max_values, out);
  } else if (value.isGenericDict()) {
    for (const auto& entry : value.toGenericDict()) {
      const std::string key = entry.key().isString() ? fmt::format("\"{}\"", entry.key().toStringRef())
                                                     : fmt::format("{}", toDouble(entry.key()));
      recordOutput(entry.value(), fmt::format("{}[{}]", path, key), max_values, out);
    }
  } else if (value.isDouble() || value.isInt() || value.isBool()) {
    TensorRecord record;
    record.name = path;
    record.dtype = value.isDouble() ? "float" : value.isInt() ? "int" : "bool";
    record.min = record.max = record.mean = toDouble(value);
    record.values = {toDouble(value)};
    record.has_values = true;
    record.digest = sha1Hex(fmt::format("{}", toDouble(value)));
    out.push_back(std::move(record));
  } else if (!value.isNone()) {
    TensorRecord record;
    record.name = path;
    record.dtype = value.tagKind();
    std::ostringstream text;
    text << value;
    record.digest = sha1Hex(text.str());
    out.push_back(std::move(record));
  }
}

// Canonicalize renames the values of the top-level block only, and the
// printer shows source locations of nested blocks even when told not to
// (LibTorch 1.13): clear both everywhere so neither reaches the fingerprint.
// aten::warn's warn_id is a counter of the loading process (a re-saved
// nn.TransformerEncoder gets other ids), not part of the model either.
void eraseNamesAndLocations(torch::jit::Block& block) {
  static const c10::Symbol warn_id = c10::Symbol::attr("warn_id");
  for (torch::jit::Value* input : block.inputs()) input->setDebugName("");
  for (torch::jit::Node* node : block.nodes()) {
    node->setSourceRange(torch::jit::SourceRange());
    if (node->hasAttribute(warn_id)) node->removeAttribute(warn_id);
    for (torch::jit::Value* output : node->outputs()) output->setDebugName("");
    for (torch::jit::Block* sub : node->blocks()) eraseNamesAndLocations(*sub);
  }
}

}  // namespace

// Note [Canonical graph]
// The fingerprint hashes the inlined graph after torch::jit::Canonicalize
// without unique names (values renumbered in order), with every debug name
// and source range erased (nested blocks included), with TorchScript's class-name mangling
// (`___torch_mangle_7.`) removed: the mangling counter depends on how many
// classes the exporting process compiled before, not on the model. The type
// of self (the root module's class) is replaced by Any: renaming the class
// changes no behaviour.
std::string canonicalGraphText(const LoadedModel& model, const std::string& method) {
  auto graph = methodGraph(*model.module, method, GraphForm::kInlined);
  auto canonical = torch::jit::Canonicalize(graph, /*keep_unique_names=*/false);
  // self's class name is the exporter's choice, not behaviour.
  if (!canonical->inputs().empty() && canonical->inputs()[0]->type()->cast<c10::ClassType>()) {
    canonical->inputs()[0]->setType(c10::AnyType::get());
  }
  eraseNamesAndLocations(*canonical->block());
  return cleanTypeName(canonical->toString(/*print_source_locations=*/false));
}

Snapshot takeSnapshot(const LoadedModel& model, const std::string& path, const SnapshotOptions& options,
                      const ModuleInfo* described) {
  countWork(Work::kSnapshot);
  const torch::jit::Module& module = *model.module;
  Snapshot snapshot;
  snapshot.model = baseName(path);
  snapshot.libtorch = compat::torchVersion();
  std::optional<ModuleInfo> own;
  if (!described) own = describeModel(model);
  const ModuleInfo& info = described ? *described : *own;
  snapshot.provenance = std::string(toString(info.provenance.verdict()));
  // Keyed on base names, as findings are, so the export folder does not
  // reach the snapshot; re-summed because two folders may share a base name.
  std::map<std::tuple<std::string, std::string, std::string>, size_t> devices;
  for (const auto& d : info.pinned_devices) {
    const std::string where =
        d.location.known() ? fmt::format("{}:{}", baseName(d.location.file), d.location.line) : "";
    devices[{d.device, d.op, where}] += d.count;
  }
  for (const auto& [key, count] : devices) {
    snapshot.devices.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), count});
  }

  std::set<std::string> ops;
  std::vector<std::string> names = methodNames(module);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    MethodSnapshot method;
    method.name = name;
    method.schema = schemaWithoutSelf(module.get_method(name).function().getSchema());
    method.fingerprint = sha1Hex(canonicalGraphText(model, name));
    walk(*methodGraph(module, name, GraphForm::kInlined)->block(), method, ops);
    snapshot.methods.push_back(std::move(method));
  }
  snapshot.ops.assign(ops.begin(), ops.end());

  auto addTensor = [&snapshot](const std::string& name, const at::Tensor& tensor) {
    TensorRecord record;
    record.name = name;
    record.dtype = dtypeName(tensor.scalar_type());
    record.shape = tensor.sizes().vec();
    record.digest = digestOf(tensor);
    snapshot.parameters.push_back(std::move(record));
  };
  for (const auto& param : module.named_parameters(/*recurse=*/true)) addTensor(param.name, param.value);
  for (const auto& buffer : module.named_buffers(/*recurse=*/true)) addTensor(buffer.name, buffer.value);
  std::sort(snapshot.parameters.begin(), snapshot.parameters.end(),
            [](const TensorRecord& a, const TensorRecord& b) { return a.name < b.name; });

  if (options.audit) {
    const std::vector<Finding> findings =
        options.findings ? *options.findings : auditModel(model, AuditOptions{}).findings;
    for (const Finding& f : findings) {
      snapshot.findings.push_back(
          {f.check, std::string(toString(f.severity)),
           f.location.known() ? fmt::format("{}:{}", baseName(f.location.file), f.location.line) : "", f.message});
    }
  }

  if (!options.inputs.empty()) {
    const InputSet inputs = readInputFile(options.inputs, module, "forward");
    snapshot.inputs = baseName(options.inputs);
    std::string digests;
    for (const auto& arg : inputs.args) {
      std::vector<TensorRecord> leaves;
      recordOutput(arg, "input", 0, leaves);
      for (const auto& leaf : leaves) digests += leaf.digest;
    }
    snapshot.inputs_digest = sha1Hex(digests);
    // Note [Seeded outputs]
    // A model with random ops in eval (dropout left on, as Tacotron2's
    // prenet does) gives other outputs on every run, so its outputs would
    // "change" in every diff. Every run here is under manual_seed(kSeed);
    // a second seeded run tells reproducible outputs from ones that are not
    // (the digests differ), and a run under another seed tells whether they
    // depend on the generator at all.
    constexpr uint64_t kSeed = 0;
    auto run = [&](uint64_t seed) {
      c10::IValue result;
      try {
        c10::NoGradGuard no_grad;
        at::manual_seed(seed);
        std::vector<c10::IValue> args = inputs.args;
        result = module.get_method("forward")(std::move(args));
      } catch (const c10::Error& e) {
        throw InputError(path, "forward failed on '" + options.inputs + "': " + firstLine(e.what_without_backtrace()));
      }
      return result;
    };
    const auto digestOf = [&](const c10::IValue& value) {
      std::vector<TensorRecord> leaves;
      recordOutput(value, "output", 0, leaves);
      std::string all;
      for (const auto& leaf : leaves) all += leaf.digest;
      return all;
    };
    const c10::IValue result = run(kSeed);
    const std::string first = digestOf(result);
    if (digestOf(run(kSeed)) != first) {
      snapshot.outputs_rng = "unreproducible";
    } else if (digestOf(run(kSeed + 1)) != first) {
      snapshot.outputs_rng = "seeded";
    }
    recordOutput(result, "output", options.max_values, snapshot.outputs);
  }
  return snapshot;
}

}  // namespace jitscope
