#include "probes.h"

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <ATen/ATen.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>

#include "jitscope/core/atomic_file.h"
#include "jitscope/core/errors.h"
#include "jitscope/core/paths.h"
#include "jitscope/inspector/archive.h"
#include "jitscope/inspector/source_location.h"
#include "device_checks.h"
#include "jitscope/inspector/model.h"
#include "jitscope/inspector/pinned_devices.h"
#include "jitscope/validators/cross_check.h"
#include "jitscope/validators/output_compare.h"
#include "map_tensors.h"

namespace jitscope {
namespace {

using c10::IValue;

struct Variant {
  std::string name;
  std::function<at::Tensor(const at::Tensor&)> change;
};

std::vector<Variant> variants() {
  auto floating = [](auto op) {
    return [op](const at::Tensor& t) { return t.is_floating_point() ? op(t) : t; };
  };
  return {
      {"the input as given", [](const at::Tensor& t) { return t; }},
      {"sign-flipped input", floating([](const at::Tensor& t) { return -t; })},
      {"input scaled by 10", floating([](const at::Tensor& t) { return t * 10; })},
      {"input scaled by 0.1", floating([](const at::Tensor& t) { return t * 0.1; })},
      {"input shifted below zero",
       floating([](const at::Tensor& t) { return t.numel() ? t - 2 * (t.abs().max() + 1) : t; })},
      {"one more row (batch + 1)",
       [](const at::Tensor& t) {
         return t.dim() >= 1 && t.size(0) >= 1 ? at::cat({t, t.narrow(0, 0, 1)}, 0) : t;
       }},
      {"one row fewer (batch - 1)",
       [](const at::Tensor& t) { return t.dim() >= 1 && t.size(0) >= 2 ? t.narrow(0, 0, t.size(0) - 1) : t; }},
      {"one more column (last dim + 1)",
       [](const at::Tensor& t) {
         return t.dim() >= 2 ? at::cat({t, t.narrow(-1, 0, 1)}, -1) : t;
       }},
      {"integers plus one",
       [](const at::Tensor& t) { return t.is_floating_point() || t.scalar_type() == at::kBool ? t : t + 1; }},
  };
}

// Empty when equal; else what differs at the first output that does
// ("output[0]: max abs difference 2"). compareOutputs in float64, at one
// tolerance for every dtype: looser than the dtype defaults, because the
// trace and the reference are two programs that may order their float
// operations differently.
constexpr Tolerance kProbeTolerance{/*rtol=*/1e-4, /*atol=*/1e-5};

std::string difference(const IValue& actual, const IValue& expected) {
  CompareOptions options;
  options.tolerance.rtol = kProbeTolerance.rtol;
  options.tolerance.atol = kProbeTolerance.atol;
  options.dtypes = DtypePolicy::kPromote;
  for (const auto& d : compareOutputs(actual, expected, options).outputs) {
    if (d.ok) continue;
    return fmt::format("{}: {}", d.path,
                       d.structure_error.empty() ? fmt::format("max abs difference {:.4g}", d.max_abs_diff)
                                                 : d.structure_error);
  }
  return {};
}

IValue run(const torch::jit::Module& module, const std::vector<IValue>& args) {
  at::manual_seed(0);  // random ops draw the same on both sides
  auto method = module.get_method("forward");
  std::vector<IValue> copy;
  for (const auto& arg : args) copy.push_back(mapTensors(arg, [](const at::Tensor& t) { return t.clone(); }));
  return method(copy);
}

// The reference's forward with the condition of each top-level prim::If
// added as an extra graph output, so one run tells which way each went.
class BranchRecorder {
 public:
  explicit BranchRecorder(const torch::jit::Module& reference) : reference_(reference) {
    auto graph = reference.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph);
    // Methods return one value: pack (output, cond...) into a tuple.
    std::vector<torch::jit::Value*> outputs = {graph->outputs()[0]};
    for (torch::jit::Node* node : graph->block()->nodes()) {
      if (node->kind() != c10::prim::If) continue;
      const auto location = nodeSource(*node).location;
      if (!location.known()) continue;
      outputs.push_back(node->input(0));
      lines_.emplace_back(canonicalPath(location.file), location.line);
    }
    if (!lines_.empty()) {
      graph->eraseOutput(0);
      graph->setInsertPoint(graph->block()->return_node());
      graph->registerOutput(graph->insertNode(graph->createTuple(outputs))->output());
      function_ = std::make_unique<torch::jit::GraphFunction>("jitscope_branch_sides", graph, nullptr);
    }
  }

  // Runs the reference once: its output, with the sides its branches took
  // recorded on the way. nullopt when there is no branch to record or the
  // instrumented run failed (the caller then runs the plain reference, whose
  // error is the one to report).
  std::optional<IValue> run(const std::vector<IValue>& args,
                            std::map<std::pair<std::string, size_t>, unsigned>& sides) {
    if (!function_) return std::nullopt;
    try {
      at::manual_seed(0);
      torch::jit::Stack stack{reference_._ivalue()};
      for (const auto& arg : args) stack.push_back(mapTensors(arg, [](const at::Tensor& t) { return t.clone(); }));
      function_->run(stack);
      const auto& packed = stack.back().toTupleRef().elements();
      for (size_t i = 0; i < lines_.size(); ++i) {
        if (packed[i + 1].isBool()) sides[lines_[i]] |= packed[i + 1].toBool() ? 1u : 2u;
      }
      return packed[0];
    } catch (const std::exception&) {
      return std::nullopt;  // no coverage from this probe: frozen branches stay reported
    }
  }

 private:
  const torch::jit::Module& reference_;
  std::vector<std::pair<std::string, size_t>> lines_;
  std::unique_ptr<torch::jit::GraphFunction> function_;
};

// Empty when the traced model reproduces `expected` on `args`; else why not.
// `error` gets the traced model's own error in full, when it failed.
std::string traceDisagreement(const torch::jit::Module& traced, const std::vector<IValue>& args,
                              const IValue& expected, std::string* error = nullptr) {
  const std::string fails = "the traced model fails where the reference runs: ";
  std::string message;
  try {
    return difference(run(traced, args), expected);
  } catch (const c10::Error& e) {
    message = e.what_without_backtrace();
  } catch (const std::exception& e) {
    message = e.what();
  }
  if (error) *error = message;
  return fails + lastLine(message);
}

std::string stem(const std::string& path) {
  std::string name = path.substr(path.rfind('/') + 1);
  const auto dot = name.rfind(".pt");
  return dot == std::string::npos ? name : name.substr(0, dot);
}

}  // namespace

ProbeOutcome probeAgainstReference(const torch::jit::Module& traced,
                                   const torch::jit::Module& reference,
                                   const std::vector<std::vector<IValue>>& input_sets,
                                   const std::string& model_path, const AuditOptions& options) {
  ProbeOutcome outcome;
  const auto all = variants();
  // Each probe runs once per shape: profiling and specializing the graph
  // for every new shape (the executor's default) costs far more than the
  // plain interpreter does for a single run.
  const torch::jit::GraphOptimizerEnabledGuard no_profiling(false);
  // --device: both models and every input there. The handles share their
  // objects with the caller's, which is done with them by now.
  const c10::Device device = parseDevice(options.device);
  auto onDevice = [&device](const IValue& arg) {
    return device.is_cpu() ? arg : mapTensors(arg, [&device](const at::Tensor& t) { return t.to(device); });
  };
  if (!device.is_cpu()) {
    torch::jit::Module(traced).to(device);
    torch::jit::Module(reference).to(device);
  }
  std::optional<std::vector<PinnedDeviceUse>> pinned;
  bool device_failure_reported = false;
  // A trace that fails on a device mismatch where the reference runs: the
  // device it pinned, proved (once per audit; the divergence keeps the rest).
  auto noteDeviceFailure = [&](const std::string& error) {
    if (error.empty() || device_failure_reported) return;
    if (!pinned) pinned = findPinnedDevices(*methodGraph(traced, "forward", GraphForm::kInlined));
    auto finding = deviceRunFailure(error, device.str(), "", "the scripted reference on " + device.str(), *pinned);
    if (!finding) return;
    finding->location = SourceLocation{};  // a run, not a line: the pinned lines are in its notes
    finding->message = fmt::format("the traced model fails on {} where the scripted reference runs: {}",
                                   device.str(), lastLine(error));
    outcome.divergences.push_back(std::move(*finding));
    device_failure_reported = true;
  };
  BranchRecorder branches(reference);
  // Note [Probe cost]
  // Each probe runs the reference once (its branch sides recorded in the
  // same run) and the trace once; a variant that leaves every input as it
  // is (a batch of one has no row to drop; float inputs have no integers
  // to shift) would repeat the first probe exactly and is skipped. Before
  // each probe but the first, --probe-budget is checked; what is not run
  // is listed in an audit-probe-budget note.
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  auto elapsed = [&started] { return std::chrono::duration<double>(Clock::now() - started).count(); };
  const size_t per_set = std::min(all.size(), options.probes) + (reference.is_training() ? 1 : 0);
  const size_t planned = per_set * input_sets.size();
  size_t attempted = 0;
  bool out_of_budget = false;
  std::vector<std::string> not_run;  // "input set 0: sign-flipped input, input scaled by 10"
  // False when the probe is not to run: the budget is spent.
  auto startProbe = [&](const std::string& name, size_t set, std::vector<std::string>& skipped) {
    if (!out_of_budget && attempted > 0 && options.probe_budget_s > 0 && elapsed() >= options.probe_budget_s) {
      out_of_budget = true;
    }
    if (out_of_budget) {
      skipped.push_back(name);
      return false;
    }
    ++attempted;
    if (options.progress) options.progress(fmt::format("probing {}/{}: {} (input set {})", attempted, planned, name, set));
    return true;
  };
  for (size_t set = 0; set < input_sets.size(); ++set) {
    std::vector<std::string> skipped;
    std::vector<std::string> diverged;
    std::string saved;
    // The first diverging input of the set is kept as the counterexample.
    auto save = [&](const std::vector<IValue>& args) {
      if (!saved.empty()) return;
      saved = fmt::format("{}/{}.counterexample{}.pt", options.counterexample_dir,
                          stem(model_path), set);
      std::vector<IValue> on_cpu;  // torch.load reads it on any machine
      for (const auto& arg : args) on_cpu.push_back(mapTensors(arg, [](const at::Tensor& t) { return t.to(at::kCPU); }));
      const auto bytes = torch::jit::pickle_save(c10::ivalue::Tuple::create(on_cpu));
      writeFileAtomically(saved, std::string_view(bytes.data(), bytes.size()));
    };
    for (size_t v = 0; v < all.size() && v < options.probes; ++v) {
      std::vector<IValue> args;
      bool changed = false;
      for (const auto& arg : input_sets[set]) {
        args.push_back(onDevice(mapTensors(arg, [&](const at::Tensor& t) {
          at::Tensor out = all[v].change(t);
          changed = changed || !out.is_same(t);
          return out;
        })));
      }
      if (v > 0 && !changed) continue;  // the first probe again
      if (!startProbe(all[v].name, set, skipped)) continue;
      IValue expected;
      try {
        auto recorded = branches.run(args, outcome.branch_sides);
        expected = recorded ? std::move(*recorded) : run(reference, args);
      } catch (const std::exception& e) {
        if (v == 0) {  // the inputs as given do not fit the model at all
          throw InputError(set < options.inputs.size() ? options.inputs[set] : model_path,
                           "the reference model rejects these inputs: " + firstLine(e.what()));
        }
        continue;  // a variant the model itself does not accept
      }
      ++outcome.probes_run;
      outcome.variants.push_back(all[v].name);
      std::string error;
      const std::string why = traceDisagreement(traced, args, expected, &error);
      noteDeviceFailure(error);
      if (why.empty()) continue;
      diverged.push_back(fmt::format("{}: {}", all[v].name, why));
      save(args);
    }
    // The mode probe: a traced model keeps the train/eval behaviour it was
    // traced in (dropout, batch norm, `if self.training`); the reference
    // follows .eval(). A model saved in training mode is deployed after
    // .eval(), so both are switched to eval, run once, switched back. (The
    // other way round would flag every model traced in eval mode for
    // behaving as in eval, which is what its users want.)
    if (reference.is_training() && startProbe("the input as given, after .eval()", set, skipped)) {
      torch::jit::Module t = traced;  // handles: .train() switches the shared objects
      torch::jit::Module r = reference;
      struct Restore {
        torch::jit::Module& t;
        torch::jit::Module& r;
        bool t_mode;
        ~Restore() { t.train(t_mode); r.train(true); }
      } restore{t, r, t.is_training()};
      t.train(false);
      r.train(false);
      const std::string name = "the input as given, after .eval()";
      std::string why;
      try {
        std::vector<IValue> given;
        for (const auto& arg : input_sets[set]) given.push_back(onDevice(arg));
        const IValue expected = run(r, given);
        ++outcome.probes_run;
        outcome.variants.push_back(name);
        why = traceDisagreement(t, given, expected);
      } catch (const std::exception&) {
        // The reference does not run in eval mode: nothing to compare.
      }
      if (!why.empty()) {
        diverged.push_back(fmt::format("{}: {}", name, why));
        save(input_sets[set]);
      }
    }
    if (!skipped.empty()) not_run.push_back(fmt::format("input set {}: {}", set, fmt::join(skipped, ", ")));
    if (diverged.empty()) continue;
    Finding finding(CheckId::kTraceDivergesFromReference,
                    fmt::format("the traced model and the scripted reference disagree on {} of "
                                "the probes from input set {}",
                                diverged.size(), set));
    for (const auto& d : diverged) finding.notes.push_back("counterexample: " + d);
    finding.notes.push_back(fmt::format("saved the first counterexample (torch.load reads it) as {}", saved));
    std::string roots;
    for (const auto& root : options.source_roots) roots += " --source-root " + root;
    if (options.device != "cpu") roots += " --device " + options.device;
    finding.notes.push_back(fmt::format("reproduce: {} {} --reference {} --inputs {}{}",
                                        options.command_prefix, model_path, options.reference, saved,
                                        roots));
    outcome.divergences.push_back(std::move(finding));
  }
  if (!not_run.empty()) {
    Finding note(CheckId::kAuditProbeBudget,
                 fmt::format("the probe budget of {} s ran out after {} probe(s) in {:.1f} s; the probes below "
                             "were not run, so the verdict cannot be clean",
                             options.probe_budget_s, attempted, elapsed()));
    for (const auto& line : not_run) note.notes.push_back("not run: " + line);
    note.notes.push_back(fmt::format("raise the budget ({}), or probe fewer variants ({}) or input sets",
                                     nameOf(options.setting_names, Setting::kProbeBudget),
                                     nameOf(options.setting_names, Setting::kProbes)));
    outcome.budget_note = std::move(note);
  }
  return outcome;
}

}  // namespace jitscope
