#include "jitscope/validators/cross_check.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <ATen/ATen.h>
#include <ATen/Context.h>

#include <fmt/format.h>

#include <dlfcn.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>

#include "jitscope/core/atomic_file.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/isolation.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/tensor_file.h"
#include "jitscope/validators/check_request.h"
#include "device_checks.h"
#include "jitscope/inspector/pinned_devices.h"
#include "localize.h"
#include "map_tensors.h"

namespace jitscope {
namespace {

using c10::IValue;
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string baseName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// Whether this LibTorch has CUDA compiled in (its CUDA library came loaded
// with it), as opposed to having found no usable device.
bool libtorchHasCuda() { return ::dlopen("libtorch_cuda.so", RTLD_NOW | RTLD_NOLOAD) != nullptr; }

}  // namespace

c10::Device parseDevice(const std::string& name) {
  try {
    c10::Device device(name);
    if (device.is_cuda() && !at::hasCUDA()) {
      const uint64_t limit = addressSpaceLimit();
      if (limit != 0 && libtorchHasCuda()) {
        throw SettingError(Setting::kDevice, name,
                           fmt::format("CUDA is unavailable under this process's address-space limit of {} (a "
                                       "memory limit or ulimit -v); the CUDA driver reserves more than that",
                                       formatSize(limit)),
                           "run without the limit");
      }
      throw SettingError(Setting::kDevice, name, "needs a CUDA device; this machine (or this LibTorch build) has none");
    }
    if (!device.is_cpu() && !device.is_cuda()) {
      throw SettingError(Setting::kDevice, name, "unsupported device", "use cpu or cuda[:N]");
    }
    return device;
  } catch (const c10::Error&) {
    throw SettingError(Setting::kDevice, name, "unknown device", "use cpu or cuda[:N]");
  }
}

namespace {

// One side that runs a model.
struct Side {
  std::string path;
  LoadedModel model;
  c10::Device device = c10::Device(c10::kCPU);
  std::optional<c10::ScalarType> dtype;

  std::string label() const {
    return fmt::format("{} on {}{}", baseName(path), device.str(), dtype ? " as " + dtypeName(*dtype) : "");
  }

  void place() {
    if (!device.is_cpu()) model.module->to(device);
    if (dtype) model.module->to(*dtype);
  }

  // The inputs as this side takes them: on its device, floating ones in its dtype.
  std::vector<IValue> adapt(const std::vector<IValue>& args) const {
    std::vector<IValue> out;
    for (const auto& arg : args) {
      out.push_back(mapTensors(arg, [this](const at::Tensor& t) {
        at::Tensor moved = t.to(device);
        if (dtype && moved.is_floating_point()) moved = moved.to(*dtype);
        return moved.clone();  // the model may write into its inputs
      }));
    }
    return out;
  }

  // The outputs (on the CPU), or the error in full: the interpreter's
  // TorchScript traceback names the failing call.
  struct Attempt {
    IValue value;
    std::string error;
  };

  Attempt attempt(const std::string& method, const std::vector<IValue>& args) const {
    try {
      at::manual_seed(0);  // random ops draw the same on both sides of one device
      IValue out = model.module->get_method(method)(args);
      return {mapTensors(out, [](const at::Tensor& t) { return t.to(at::kCPU); }), ""};
    } catch (const c10::Error& e) {
      return {IValue(), e.what_without_backtrace()};
    } catch (const std::runtime_error& e) {  // the interpreter's wrapped errors
      return {IValue(), e.what()};
    }
  }

  InputError failure(const std::string& error, const std::string& set_label) const {
    return InputError(path, fmt::format("{} fails on input set '{}': {}", label(), set_label, lastLine(error)));
  }

  const std::vector<PinnedDeviceUse>& pinned(const std::string& method) const {
    if (!pinned_uses) pinned_uses = findPinnedDevices(*methodGraph(*model.module, method, GraphForm::kInlined));
    return *pinned_uses;
  }
  mutable std::optional<std::vector<PinnedDeviceUse>> pinned_uses;
};

IValue loadValue(const std::string& path) { return readTensorFile(path, "expected outputs"); }

}  // namespace

CheckReport crossCheck(const CheckOptions& options, const LoadedModelLookup& loaded) {
  const auto start = Clock::now();
  // Inference only: no autograd graph is recorded (as torch.no_grad() in
  // Python), and the saved outputs do not require grad.
  const at::NoGradGuard no_grad;
  CheckReport report;
  report.method = options.method;
  const bool has_expected = !options.expected_files.empty();
  // Errors as data (check_request.h), worded by each front end.
  CheckRequestShape shape;
  shape.against = !options.against.empty();
  shape.expected = has_expected;
  shape.devices = options.devices.size();
  shape.localize = options.localize;
  shape.inputs = !options.input_files.empty() || !options.shapes.empty();
  if (const auto problem = checkRequestProblem(shape)) throw CheckRequestError(*problem);
  const c10::Device expected_device = parseDevice(options.devices.front());
  const c10::Device actual_device = parseDevice(options.devices.back());

  // Load, then check the inputs against both signatures before anything runs.
  auto phase = Clock::now();
  // A side shares the caller's loaded model only where place() leaves it
  // as it is (CPU, saved dtype), and two sides never share one module.
  const LoadedModel* first_shared = nullptr;
  const auto modelFor = [&](const std::string& path, const c10::Device& device, bool cast) {
    const LoadedModel* given = loaded && device.is_cpu() && !cast ? loaded(path) : nullptr;
    if (given && given != first_shared) {
      if (!first_shared) first_shared = given;
      return *given;
    }
    return loadModel(path);
  };
  Side actual{options.model, modelFor(options.model, actual_device, options.dtype.has_value()), actual_device,
              options.dtype};
  std::optional<Side> expected;
  if (!has_expected) {
    const std::string path = options.against.empty() ? options.model : options.against;
    expected = Side{path, modelFor(path, expected_device, false), expected_device, std::nullopt};
  }
  report.timing.load_seconds = secondsSince(phase);

  phase = Clock::now();
  std::vector<InputSet> sets;
  for (const auto& file : options.input_files) sets.push_back(readInputFile(file, *actual.model.module, options.method));
  for (size_t i = 0; !options.shapes.empty() && i < options.generated_sets; ++i) {
    sets.push_back(generateInputs(options.shapes, *actual.model.module, options.method, options.seed + i));
  }
  // The other export's arguments: the same given ones, its own defaults
  // (a scripted forward(a, b, int n=12) against its trace forward(a, b)).
  std::vector<std::vector<IValue>> expected_sets;
  for (const auto& set : sets) {
    expected_sets.push_back(expected && !options.against.empty()
                                ? inputsFor(set, *expected->model.module, options.method)
                                : set.args);
  }
  std::vector<IValue> expected_values;
  if (has_expected) {
    if (options.expected_files.size() == sets.size()) {
      for (const auto& file : options.expected_files) expected_values.push_back(loadValue(file));
    } else if (options.expected_files.size() == 1) {
      const IValue all = loadValue(options.expected_files[0]);
      if (!all.isTuple() || all.toTupleRef().elements().size() != sets.size()) {
        throw InputError(options.expected_files[0],
                         fmt::format("holds one output, but there are {} input sets; give one expected-outputs "
                                     "file per input set, or one holding a tuple of {} (as a check's saved outputs are)",
                                     sets.size(), sets.size()));
      }
      for (const auto& value : all.toTupleRef().elements()) expected_values.push_back(value);
    } else {
      throw SettingError(Setting::kExpected, "",
                         fmt::format("gives {} files for {} input sets", options.expected_files.size(), sets.size()),
                         "give one per set");
    }
  }
  report.timing.inputs_seconds = secondsSince(phase);

  actual.place();
  if (expected) expected->place();
  report.actual = actual.label();
  report.expected = expected ? expected->label() : [&] {
    std::string names;
    for (const auto& file : options.expected_files) names += (names.empty() ? "" : ", ") + baseName(file);
    return names;
  }();

  CompareOptions compare = options.compare;
  if (options.dtype) compare.dtypes = DtypePolicy::kPromote;
  std::unique_ptr<InstrumentedMethod> actual_probe;
  std::unique_ptr<InstrumentedMethod> expected_probe;
  std::vector<IValue> saved;
  for (size_t s = 0; s < sets.size(); ++s) {
    InputSetResult result;
    result.label = sets[s].label;
    const auto actual_args = actual.adapt(sets[s].args);
    const auto expected_args = expected ? expected->adapt(expected_sets[s]) : std::vector<IValue>{};
    phase = Clock::now();
    const Side::Attempt actual_run = actual.attempt(options.method, actual_args);
    const Side::Attempt expected_run = expected ? expected->attempt(options.method, expected_args)
                                                : Side::Attempt{expected_values[s], ""};
    report.timing.forward_seconds += secondsSince(phase);
    report.timing.forward_runs += expected ? 2 : 1;
    if (!actual_run.error.empty() || !expected_run.error.empty()) {
      // Both fail: the inputs do not fit (exit 3). One fails where the other
      // runs: a finding about the model (exit 1); on another device, or on a
      // device mismatch, a trace-baked-device finding naming the pinned lines.
      if (!actual_run.error.empty() && !expected_run.error.empty()) {
        throw actual.failure(actual_run.error, sets[s].label);
      }
      const bool actual_failed = !actual_run.error.empty();
      const Side& failed = actual_failed ? actual : *expected;
      const std::string& error = actual_failed ? actual_run.error : expected_run.error;
      const Side* other = actual_failed ? (expected ? &*expected : nullptr) : &actual;
      // A side cast to --dtype may fail for the cast: only a device-mismatch
      // error speaks for the device then.
      const std::string other_device = other && !failed.dtype ? other->device.str() : "";
      auto finding = deviceRunFailure(error, failed.device.str(), other_device,
                                      other ? "on " + other->device.str() + " (" + other->label() + ")"
                                            : "for the saved outputs",
                                      failed.pinned(options.method));
      // Not a device problem: the model still fails on inputs the other side
      // (or the saved outputs) shows are valid. A mismatch (exit 1), not an
      // unreadable input: e.g. a trace that bakes a length crashing on
      // another length its scripted reference runs.
      // A side cast with --dtype that fails for the cast (no float16 kernel)
      // says nothing about the model: the inputs do not fit (exit 3).
      if (!finding && failed.dtype) throw failed.failure(error, sets[s].label);
      result.failure = fmt::format("{} fails: {}", failed.label(), lastLine(error));
      result.comparison.ok = false;
      if (finding) {
        finding->notes.insert(finding->notes.begin(),
                              fmt::format("input set '{}', model {}", sets[s].label, failed.path));
        report.findings.push_back(std::move(*finding));
      }
      report.ok = false;
      report.sets.push_back(std::move(result));
      continue;
    }
    const IValue& actual_out = actual_run.value;
    const IValue& expected_out = expected_run.value;
    phase = Clock::now();
    result.comparison = compareOutputs(actual_out, expected_out, compare);
    report.timing.compare_seconds += secondsSince(phase);
    if (!result.comparison.ok && expected && report.findings.empty()) {
      if (auto finding = deviceDifference(actual.device.str(), expected->device.str(), actual.pinned(options.method))) {
        report.findings.push_back(std::move(*finding));
      }
    }
    if (options.localize) {
      phase = Clock::now();
      if (!actual_probe) {
        actual_probe = std::make_unique<InstrumentedMethod>(*actual.model.module, options.method);
        expected_probe = std::make_unique<InstrumentedMethod>(*expected->model.module, options.method);
      }
      try {
        result.localize = localizeDivergence(*actual_probe, actual.adapt(sets[s].args), *expected_probe,
                                             expected->adapt(expected_sets[s]), compare);
      } catch (const c10::Error& e) {
        throw InputError(options.model, "localizing the divergence: the instrumented graph fails: " +
                                            lastLine(e.what_without_backtrace()));
      } catch (const std::runtime_error& e) {
        throw InputError(options.model, std::string("localizing the divergence: the instrumented graph fails: ") +
                                            lastLine(e.what()));
      }
      report.timing.localize_seconds += secondsSince(phase);
    }
    report.ok = report.ok && result.comparison.ok;
    if (!options.save_outputs.empty()) saved.push_back(actual_out);
    report.sets.push_back(std::move(result));
  }
  if (!options.save_outputs.empty() && saved.size() == sets.size()) {
    phase = Clock::now();
    // A set that failed has no outputs: nothing is saved then.
    const IValue value = saved.size() == 1 ? saved[0] : IValue(c10::ivalue::Tuple::create(saved));
    const auto bytes = torch::jit::pickle_save(value);
    writeFileAtomically(options.save_outputs, std::string_view(bytes.data(), bytes.size()));
    report.timing.save_seconds = secondsSince(phase);
  }
  report.timing.total_seconds = secondsSince(start);
  return report;
}

}  // namespace jitscope
