#include "jitscope/validators/compat.h"

#include <torch/csrc/jit/runtime/operator.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "jitscope/core/operator_library.h"
#include "jitscope/inspector/archive.h"
#include "jitscope/inspector/code_records.h"
#include "jitscope/inspector/missing_operator.h"

namespace jitscope {

std::string_view toString(CompatKind kind) {
  switch (kind) {
    case CompatKind::kFileFormat: return "file-format";
    case CompatKind::kMissingNamespace: return "missing-namespace";
    case CompatKind::kMissingOperator: return "missing-operator";
    case CompatKind::kArguments: return "arguments";
    case CompatKind::kCustomClass: return "custom-class";
    case CompatKind::kQuantizedEngine: return "quantized-engine";
    case CompatKind::kDevice: return "device";
    case CompatKind::kBytecode: return "bytecode";
  }
  return "unknown";
}

std::optional<CompatRuntime> parseCompatRuntime(std::string_view name) {
  for (const CompatRuntime runtime : {CompatRuntime::kAuto, CompatRuntime::kFull, CompatRuntime::kLite}) {
    if (name == toString(runtime)) return runtime;
  }
  return std::nullopt;
}

std::string_view toString(CompatRuntime runtime) {
  switch (runtime) {
    case CompatRuntime::kAuto: return "auto";
    case CompatRuntime::kFull: return "full";
    case CompatRuntime::kLite: return "lite";
  }
  return "unknown";
}

std::string_view toString(CompatStage stage) { return stage == CompatStage::kLoad ? "load" : "run"; }

bool CompatReport::loads() const {
  return std::none_of(problems.begin(), problems.end(),
                      [](const CompatProblem& p) { return p.stage == CompatStage::kLoad; });
}

namespace {

// "aten::add.Tensor(...)" -> "aten::add", "Tensor".
std::pair<std::string_view, std::string_view> schemaName(std::string_view schema) {
  const std::string_view full = schema.substr(0, schema.find('('));
  const size_t dot = full.find('.');
  if (dot == std::string_view::npos) return {full, {}};
  return {full.substr(0, dot), full.substr(dot + 1)};
}

std::string_view namespaceOf(std::string_view op) { return op.substr(0, op.find("::")); }

struct SchemaArgument {
  std::string name;
  bool has_default = false;
  bool kwarg_only = false;
  bool is_out = false;  ///< written to: `Tensor(a!) out`
};

struct SchemaArguments {
  std::vector<SchemaArgument> arguments;
  bool varargs = false;
};

// The arguments of a schema, read from its text. A target's schemas come
// from another LibTorch and name types this one may not know (a newer
// dtype, a TorchBind class of a library not loaded here), so they are split
// by hand rather than by torch::jit::parseSchema: only the names, the
// defaults, `*` and `...` matter for whether a call site binds.
SchemaArguments argumentsOf(std::string_view schema) {
  SchemaArguments out;
  const size_t open = schema.find('(');
  if (open == std::string_view::npos) return out;
  // Split the argument list at commas outside brackets and string literals.
  std::vector<std::string_view> parts;
  int depth = 0;
  char quote = 0;
  size_t begin = open + 1;
  for (size_t i = open + 1; i < schema.size(); ++i) {
    const char c = schema[i];
    if (quote) {
      if (c == '\\') ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    else if (c == '(' || c == '[') ++depth;
    else if ((c == ')' || c == ']') && depth > 0) --depth;
    else if (c == ')' || (c == ',' && depth == 0)) {
      parts.push_back(schema.substr(begin, i - begin));
      begin = i + 1;
      if (c == ')') break;
    }
  }
  bool kwarg_only = false;
  for (std::string_view part : parts) {
    const auto first = part.find_first_not_of(' ');
    if (first == std::string_view::npos) continue;
    part = part.substr(first, part.find_last_not_of(' ') - first + 1);
    if (part == "*") {
      kwarg_only = true;
      continue;
    }
    if (part == "...") {
      out.varargs = true;
      continue;
    }
    SchemaArgument argument;
    argument.kwarg_only = kwarg_only;
    // TYPE NAME[=DEFAULT]; TYPE may hold spaces inside its alias annotation
    // ("Tensor(a -> *) self"), the default anything.
    std::string_view declaration = part;
    int level = 0;
    for (size_t i = 0; i < part.size(); ++i) {
      if (part[i] == '(' || part[i] == '[') ++level;
      else if (part[i] == ')' || part[i] == ']') --level;
      else if (part[i] == '=' && level == 0) {
        declaration = part.substr(0, i);
        argument.has_default = true;
        break;
      }
    }
    declaration = declaration.substr(0, declaration.find_last_not_of(' ') + 1);
    const auto space = declaration.find_last_of(' ');
    argument.is_out = space != std::string_view::npos && declaration.substr(0, space).find('!') != std::string_view::npos;
    argument.name = std::string(space == std::string_view::npos ? declaration : declaration.substr(space + 1));
    out.arguments.push_back(std::move(argument));
  }
  return out;
}


std::string describeCall(const OperatorCall& call) {
  if (call.keywords.empty()) return fmt::format("{} positional", call.positional);
  return fmt::format("{} positional + {}", call.positional, fmt::join(call.keywords, ", "));
}

// The target's operators by name ("aten::add" -> its overloads' schemas).
class OperatorIndex {
 public:
  explicit OperatorIndex(const TargetProfile& target) : list_only_(target.operator_list_only) {
    if (list_only_) {
      for (const std::string& entry : target.operator_names) {
        std::string_view name = entry;
        if (name.size() > 2 && name.substr(name.size() - 2) == ".*") {
          name.remove_suffix(2);
          all_overloads_.insert(std::string(name));
        }
        listed_.insert(std::string(name.substr(0, name.find('.'))));
        exact_listed_.insert(entry);
      }
      return;
    }
    for (const std::string& schema : target.schemas) {
      const auto [name, overload] = schemaName(schema);
      overloads_[std::string(name)].push_back(schema);
      namespaces_.insert(std::string(namespaceOf(name)));
      exact_.emplace(std::string(schema.substr(0, schema.find('('))), schema);
    }
  }

  /// The lite interpreter's lookup: this exact overload ("aten::add.Tensor",
  /// "aten::relu" for the unnamed one). Returns its schema, "" for an
  /// operator list (names only), nullopt when it is not there.
  std::optional<std::string> exactOverload(const MobileOperator& op) const {
    const std::string full = op.fullName();
    if (list_only_) {
      if (exact_listed_.count(full) || all_overloads_.count(op.name)) return std::string();
      return std::nullopt;
    }
    const auto it = exact_.find(full);
    if (it == exact_.end()) return std::nullopt;
    return it->second;
  }

  bool hasNamespace(std::string_view ns) const { return list_only_ || namespaces_.count(std::string(ns)) > 0; }
  /// Whether any overload of `op` is there. An operator list names the
  /// overload the compiler picked; a call site's text does not (it depends
  /// on argument types), so any overload of the name counts.
  bool hasOperator(const std::string& op) const {
    return list_only_ ? listed_.count(op) > 0 : overloads_.count(op) > 0;
  }
  const std::vector<std::string>& overloadsOf(const std::string& op) const {
    static const std::vector<std::string> none;
    const auto it = overloads_.find(op);
    return it == overloads_.end() ? none : it->second;
  }
  bool accepts(const OperatorCall& call) const {
    if (list_only_) return true;  // no schemas to check against
    const auto& schemas = overloadsOf(call.op);
    return std::any_of(schemas.begin(), schemas.end(), [&](const std::string& schema) {
      return schemaAcceptsCall(schema, call.positional, call.keywords);
    });
  }

 private:
  bool list_only_;
  std::map<std::string, std::vector<std::string>> overloads_;
  std::map<std::string, std::string> exact_;  ///< "aten::add.Tensor" -> its schema
  std::set<std::string> namespaces_;
  std::set<std::string> listed_;
  std::set<std::string> exact_listed_;
  std::set<std::string> all_overloads_;  ///< "aten::conv2d" of "aten::conv2d.*"
};

bool startsWith(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

class CompatChecker {
 public:
  CompatChecker(const ModelRequirements& needs, const TargetProfile& target, const CompatOptions& options,
                CompatRuntime runtime)
      : needs_(needs), target_(target), options_(options), runtime_(runtime), index_(target) {}

  std::vector<CompatProblem> run() {
    checkFileFormat();
    if (runtime_ == CompatRuntime::kLite) {
      if (checkBytecode()) checkMobileOperators();
    } else {
      checkOperators();
    }
    checkClasses();
    checkDevices();
    return std::move(problems_);
  }

 private:
  std::string targetName() const {
    return target_.torch_version.empty() ? target_.name : fmt::format("{} (LibTorch {})", target_.name,
                                                                       target_.torch_version);
  }

  CompatProblem& add(CompatKind kind, CompatStage stage, std::string subject, std::string message,
                     std::string fix) {
    CompatProblem problem{kind, stage, std::move(subject), std::move(message), std::move(fix), {}, {}, {}};
    problems_.push_back(std::move(problem));
    return problems_.back();
  }

  void checkFileFormat() {
    if (target_.operator_list_only || target_.max_file_format == 0) return;
    const uint64_t version = needs_.format_version;
    if (version >= target_.min_file_format && version <= target_.max_file_format) return;
    const bool newer = version > target_.max_file_format;
    auto& problem = add(CompatKind::kFileFormat, CompatStage::kLoad, fmt::format("archive/version {}", version),
                        fmt::format("the archive's format version is {}; {} reads versions {} to {}", version,
                                    targetName(), target_.min_file_format, target_.max_file_format),
                        newer ? fmt::format("export with the PyTorch the target runs (torch {}), or deploy a "
                                            "LibTorch that reads version {}",
                                            target_.torch_version, version)
                              : "re-save the model with a newer PyTorch");
    problem.where = "archive/version";
  }

  void checkOperators() {
    // Calls grouped by operator, in order of first appearance.
    std::vector<std::string> order;
    std::map<std::string, std::vector<const OperatorCall*>> calls_of;
    for (const auto& call : needs_.calls) {
      auto& calls = calls_of[call.op];
      if (calls.empty()) order.push_back(call.op);
      calls.push_back(&call);
    }
    MissingNamespaces missing;
    for (const std::string& op : order) {
      const auto& calls = calls_of[op];
      const std::string ns(namespaceOf(op));
      if (!index_.hasNamespace(ns)) {
        missing.ops[ns].push_back(op);
        for (const auto* call : calls) missing.locations[ns].push_back(call->location);
        continue;
      }
      if (!index_.hasOperator(op)) {
        auto& problem =
            target_.operator_list_only
                ? add(CompatKind::kMissingOperator, CompatStage::kLoad, op,
                      fmt::format("{} is not in the operator list of {}", op, target_.name),
                      "add the overload the model uses to the list and rebuild (torch.jit.export_opnames(model) "
                      "lists them)")
                : add(CompatKind::kMissingOperator, CompatStage::kLoad, op,
                      fmt::format("{} is not registered in {}", op, targetName()),
                      ns == "aten" || ns == "prim"
                          ? "export with the PyTorch the target runs, or rewrite the call with operators it has"
                          : operatorLibraryFix(ns) + " (one that registers " + op + ")");
        for (const auto* call : calls) problem.locations.push_back(call->location);
        continue;
      }
      // Call sites no overload accepts, grouped by how they pass arguments.
      std::map<std::string, CompatProblem*> by_signature;
      for (const auto* call : calls) {
        if (index_.accepts(*call)) continue;
        const std::string signature = describeCall(*call);
        auto& problem = by_signature[signature];
        if (!problem) {
          std::vector<std::string> shown;
          for (const auto& schema : index_.overloadsOf(op)) {
            if (shown.size() == 3) break;
            shown.push_back(schema.substr(0, schema.find(" ->")));
          }
          const size_t more = index_.overloadsOf(op).size() - shown.size();
          problem = &add(CompatKind::kArguments, CompatStage::kLoad, op,
                         fmt::format("no overload of {} in {} accepts the call's arguments ({}); it has {}{}", op,
                                     targetName(), signature, fmt::join(shown, "; "),
                                     more ? fmt::format(" and {} more", more) : ""),
                         "export with the PyTorch the target runs, or pass the arguments its schema takes");
        }
        problem->locations.push_back(call->location);
      }
    }
    reportMissingNamespaces(missing, "the model calls",
                            "load the same library in the server before torch::jit::load", "");
  }

  // Operators of namespaces the target has none of, grouped by namespace:
  // one problem each (a library not loaded there), not one per operator.
  struct MissingNamespaces {
    std::map<std::string, std::vector<std::string>> ops;
    std::map<std::string, std::vector<CodeLocation>> locations;
  };

  void reportMissingNamespaces(const MissingNamespaces& missing, std::string_view calls, std::string_view deploy,
                               const std::string& where) {
    for (const auto& [ns, ops] : missing.ops) {
      auto& problem = add(CompatKind::kMissingNamespace, CompatStage::kLoad, ns,
                          fmt::format("no operator of the '{}' namespace is registered in {} ({} {})", ns,
                                      targetName(), calls, fmt::join(ops, ", ")),
                          operatorLibraryFix(ns) +
                              " when writing the target (`jitscope --load-library LIB target-info`), or to this run, "
                              "and " + std::string(deploy));
      const auto at = missing.locations.find(ns);
      if (at != missing.locations.end()) problem.locations = at->second;
      problem.where = where;
    }
  }

  // The lite interpreter reads bytecode.pkl, nothing else of the code.
  // Returns whether there are operator tables to check.
  bool checkBytecode() {
    if (!needs_.bytecode) {
      auto& problem = add(CompatKind::kBytecode, CompatStage::kLoad, "bytecode.pkl",
                          "the file has no bytecode.pkl, so the lite interpreter (_load_for_mobile) cannot load it",
                          "save it for the lite interpreter: model._save_for_lite_interpreter(path); or check it "
                          "for torch::jit::load with --runtime full");
      problem.where = "bytecode.pkl";
      return false;
    }
    const uint64_t version = needs_.bytecode->version;
    if (target_.max_bytecode == 0 || (version >= target_.min_bytecode && version <= target_.max_bytecode)) {
      return true;
    }
    const bool newer = version > target_.max_bytecode;
    auto& problem = add(CompatKind::kBytecode, CompatStage::kLoad, fmt::format("bytecode version {}", version),
                        fmt::format("the file's bytecode version is {}; {} reads bytecode versions {} to {}", version,
                                    targetName(), target_.min_bytecode, target_.max_bytecode),
                        newer ? fmt::format("backport it: torch.jit.mobile._backport_for_mobile(path, out_path, "
                                            "to_version={})",
                                            target_.max_bytecode)
                              : "re-save it with model._save_for_lite_interpreter(path) on a newer PyTorch");
    problem.where = "bytecode.pkl";
    return true;
  }

  // Code call sites of an operator (any overload): where a table entry
  // came from, as near as the archive tells.
  std::vector<CodeLocation> callSitesOf(const std::string& name) const {
    std::vector<CodeLocation> sites;
    for (const auto& call : needs_.calls) {
      if (call.op == name) sites.push_back(call.location);
    }
    return sites;
  }

  // Each table entry against the target, as the mobile loader resolves it
  // (mobile/function.cpp, makeOperatorFunction): the exact overload, or the
  // load fails ("Following ops cannot be found"); then, from bytecode 6 on,
  // the arguments the call sites left out are filled from the target's
  // schema defaults when the op runs (pytorch#56845, #63651).
  void checkMobileOperators() {
    std::vector<std::string> order;
    std::map<std::string, std::vector<const MobileOperator*>> entries;
    for (const auto& op : needs_.bytecode->operators) {
      auto& list = entries[op.fullName()];
      if (list.empty()) order.push_back(op.fullName());
      list.push_back(&op);
    }
    MissingNamespaces missing;
    for (const std::string& full : order) {
      const MobileOperator& op = *entries[full].front();
      std::set<std::string> method_set;
      for (const auto* entry : entries[full]) method_set.insert(entry->method);
      const std::string methods = fmt::format("{}", fmt::join(method_set, ", "));
      // Where the text points: the table of the first method listing it.
      const std::string where = "bytecode.pkl (method " + *method_set.begin() + ")";
      const std::string ns(namespaceOf(op.name));
      if (!index_.hasNamespace(ns)) {
        missing.ops[ns].push_back(full);
        for (const auto& site : callSitesOf(op.name)) missing.locations[ns].push_back(site);
        continue;
      }
      const auto schema = index_.exactOverload(op);
      if (!schema) {
        const bool other_overloads = index_.hasOperator(op.name);
        auto& problem =
            target_.operator_list_only
                ? add(CompatKind::kMissingOperator, CompatStage::kLoad, full,
                      fmt::format("{} (operator table of {}) is not in the operator list of {}", full, methods,
                                  target_.name),
                      fmt::format("add {} to the list and rebuild (torch.jit.export_opnames(model) lists what the "
                                  "model needs)",
                                  full))
                : add(CompatKind::kMissingOperator, CompatStage::kLoad, full,
                      fmt::format("{} (operator table of {}) is not registered in {}{}", full, methods, targetName(),
                                  other_overloads ? "; the lite interpreter looks up the exact overload, and the "
                                                    "target has only others"
                                                  : ""),
                      ns == "aten" || ns == "prim"
                          ? "export with the PyTorch the target runs, or rewrite the call with operators it has"
                          : operatorLibraryFix(ns) + " (one that registers " + full + ")");
        problem.locations = callSitesOf(op.name);
        problem.where = where;
        continue;
      }
      if (schema->empty()) continue;  // an operator list: no schema to bind
      checkMobileArguments(op, *schema, methods, where);
    }
    reportMissingNamespaces(missing, "the model's bytecode calls", "link the same library into the app",
                            "bytecode.pkl");
  }

  void checkMobileArguments(const MobileOperator& op, const std::string& schema, const std::string& methods,
                            const std::string& where) {
    if (!op.arguments) return;  // before bytecode 6 every argument is passed
    const SchemaArguments parsed = argumentsOf(schema);
    if (parsed.varargs) return;
    const auto& arguments = parsed.arguments;
    const size_t passed = *op.arguments;
    const std::string shown = schema.substr(0, schema.find(" ->"));
    auto problem = [&](std::string message) {
      auto& p = add(CompatKind::kArguments, CompatStage::kRun, op.fullName(), std::move(message),
                    "export with the PyTorch the target runs, or backport the file to the target's bytecode "
                    "version (torch.jit.mobile._backport_for_mobile)");
      p.locations = callSitesOf(op.name);
      p.where = where;
    };
    if (passed > arguments.size()) {
      problem(fmt::format("the bytecode passes {} arguments to {} ({}), whose schema in {} takes {}: {}", passed,
                          op.fullName(), methods, targetName(), arguments.size(), shown));
      return;
    }
    // Out arguments stay on the stack's top; those between what was passed
    // and them come from the schema's defaults.
    size_t outs = 0;
    while (outs < arguments.size() && arguments[arguments.size() - 1 - outs].is_out) ++outs;
    const size_t first = passed >= outs ? passed - outs : 0;
    for (size_t i = first; i + outs < arguments.size(); ++i) {
      if (arguments[i].has_default) continue;
      problem(fmt::format("the bytecode passes {} arguments to {} ({}); the lite interpreter fills argument {} "
                          "('{}') from the schema's default, and {} has none in {}",
                          passed, op.fullName(), methods, i + 1, arguments[i].name, shown, targetName()));
      return;
    }
  }

  void checkClasses() {
    const bool lists_classes = !target_.operator_list_only || !target_.custom_classes.empty();
    const std::set<std::string> offered(target_.custom_classes.begin(), target_.custom_classes.end());
    std::map<std::string, CompatProblem*> missing;
    bool quantized = false;
    for (const auto& use : needs_.classes) {
      if (startsWith(use.name, "quantized.")) quantized = true;
      if (!lists_classes || offered.count(use.name)) continue;
      auto& problem = missing[use.name];
      if (!problem) {
        problem = &add(CompatKind::kCustomClass, CompatStage::kLoad, use.name,
                       fmt::format("TorchBind class {} is not registered in {}", use.name, targetName()),
                       startsWith(use.name, "quantized.")
                           ? "deploy a LibTorch built with quantization (USE_FBGEMM or USE_PYTORCH_QNNPACK)"
                           : "load the library that registers it (torch::class_) in the server, and name it with "
                             "--load-library when writing the target");
      }
      problem->locations.push_back(use.location);
    }
    if (!quantized || target_.operator_list_only) return;
    const bool has_engine = std::any_of(target_.quantized_engines.begin(), target_.quantized_engines.end(),
                                        [](const std::string& engine) { return engine != "NoQEngine"; });
    if (has_engine) return;
    auto& problem = add(CompatKind::kQuantizedEngine, CompatStage::kRun, "quantized engine",
                        fmt::format("the model holds quantized packed weights and {} has no quantized engine",
                                    targetName()),
                        "deploy a LibTorch built with FBGEMM, QNNPACK or oneDNN quantization");
    for (const auto& use : needs_.classes) {
      if (startsWith(use.name, "quantized.")) problem.locations.push_back(use.location);
    }
  }

  void checkDevices() {
    if (target_.operator_list_only) return;
    const bool serve_cuda = startsWith(options_.serve_device, "cuda");
    if (serve_cuda && !target_.cuda) {
      add(CompatKind::kDevice, CompatStage::kRun, options_.serve_device,
          fmt::format("the model is to be served on {} and {} has no CUDA", options_.serve_device, targetName()),
          "write the target with `jitscope target-info` on the GPU machine");
    }
    std::map<std::string, CompatProblem*> grouped;
    for (const auto& use : needs_.devices) {
      const bool in_code = use.location.has_value();
      const bool cuda = startsWith(use.value, "cuda");
      std::string key = use.value + (in_code ? "|code" : use.parameter ? "|parameter" : "|constant");
      CompatProblem* problem = nullptr;
      if (use.parameter) {
        // module.to() moves parameters, so only a GPU the target lacks matters.
        if (!cuda || target_.cuda) continue;
        auto& slot = grouped[key];
        if (!slot) {
          slot = &add(CompatKind::kDevice, CompatStage::kLoad, use.value,
                      fmt::format("parameters and buffers were saved on {} and {} has no CUDA: torch::jit::load "
                                  "fails unless the server passes a CPU map_location",
                                  use.value, targetName()),
                      "move the model to the CPU before saving (model.cpu()), or load with "
                      "torch::jit::load(path, torch::kCPU)");
        }
        problem = slot;
      } else if (cuda && !target_.cuda) {
        auto& slot = grouped[key];
        if (!slot) {
          slot = in_code
                     ? &add(CompatKind::kDevice, CompatStage::kRun, use.value,
                            fmt::format("the code fixes device {} and {} has no CUDA: the call fails when it runs",
                                        use.value, targetName()),
                            "trace on the CPU, or script the model so the device follows its inputs")
                     : &add(CompatKind::kDevice, CompatStage::kLoad, use.value,
                            fmt::format("a tensor constant is saved on {} and {} has no CUDA: loading fails unless "
                                        "the server passes a CPU map_location",
                                        use.value, targetName()),
                            "trace on the CPU, or load with torch::jit::load(path, torch::kCPU)");
        }
        problem = slot;
      } else if (serve_cuda && startsWith(use.value, "cpu")) {
        auto& slot = grouped[key];
        if (!slot) {
          slot = in_code
                     ? &add(CompatKind::kDevice, CompatStage::kRun, use.value,
                            fmt::format("the code fixes device {}: served on {}, tensors it makes stay on the CPU "
                                        "and mixing them with the inputs fails",
                                        use.value, options_.serve_device),
                            "trace on the device you serve on, or script the code so the device follows its inputs")
                     : &add(CompatKind::kDevice, CompatStage::kRun, use.value,
                            fmt::format("a tensor constant is baked into the code on {}: module.to({}) does not move "
                                        "it, so an op mixing it with the inputs fails",
                                        use.value, options_.serve_device),
                            "make the tensor a registered buffer, or create it on the input's device");
        }
        problem = slot;
      }
      if (!problem) continue;
      if (in_code) problem->locations.push_back(*use.location);
      else if (problem->where.empty()) problem->where = use.where;
    }
  }

  const ModelRequirements& needs_;
  const TargetProfile& target_;
  const CompatOptions& options_;
  CompatRuntime runtime_;
  OperatorIndex index_;
  std::vector<CompatProblem> problems_;
};

}  // namespace

bool schemaAcceptsCall(std::string_view schema, size_t positional, const std::vector<std::string>& keywords) {
  const SchemaArguments schema_arguments = argumentsOf(schema);
  const auto& arguments = schema_arguments.arguments;
  std::vector<const SchemaArgument*> positionals;
  for (const auto& argument : arguments) {
    if (!argument.kwarg_only) positionals.push_back(&argument);
  }
  if (schema_arguments.varargs) {
    // `...` takes any number of values: only the named ones before it count.
    size_t required = 0;
    for (const auto* argument : positionals) required += argument->has_default ? 0 : 1;
    return positional >= required;
  }
  if (positional > positionals.size()) return false;
  std::set<std::string> given;
  for (size_t i = 0; i < positional; ++i) given.insert(positionals[i]->name);
  for (const std::string& keyword : keywords) {
    const bool known = std::any_of(arguments.begin(), arguments.end(),
                                   [&](const SchemaArgument& argument) { return argument.name == keyword; });
    if (!known || !given.insert(keyword).second) return false;
  }
  return std::all_of(arguments.begin(), arguments.end(), [&](const SchemaArgument& argument) {
    return argument.has_default || given.count(argument.name) > 0;
  });
}

CompatReport checkCompat(const ModelRequirements& needs, const TargetProfile& target, const CompatOptions& options,
                         GeneratingSources* python_lines) {
  CompatReport report;
  report.model = needs.path;
  report.target = target.name;
  report.target_version = target.torch_version;
  report.operator_list_only = target.operator_list_only;
  report.runtime = options.runtime != CompatRuntime::kAuto ? options.runtime
                   : needs.bytecode                        ? CompatRuntime::kLite
                                                           : CompatRuntime::kFull;
  if (needs.bytecode) report.bytecode_version = needs.bytecode->version;
  if (report.runtime == CompatRuntime::kLite) {
    std::set<std::string> distinct;
    if (needs.bytecode) {
      for (const auto& op : needs.bytecode->operators) distinct.insert(op.fullName());
      report.calls_checked = needs.bytecode->operators.size();
    }
    report.operators_checked = distinct.size();
  } else {
    report.calls_checked = needs.calls.size();
    report.operators_checked = needs.operatorCounts().size();
  }
  report.problems = CompatChecker(needs, target, options, report.runtime).run();
  if (python_lines) {
    for (auto& problem : report.problems) {
      if (!problem.locations.empty()) problem.python = python_lines->locate(problem.locations.front());
    }
  }
  return report;
}

CompatReport checkModelFile(const std::string& model_path, const std::string& target_name,
                            const CompatOptions& options) {
  const TargetProfile target = withLoadedLibraries(loadTarget(target_name));
  const ArchiveInfo archive = inspectArchive(model_path, FormatVersion::kAnyVersion);
  checkDebugRecords(archive);  // as loadModel does: a crafted .debug_pkl is invalid input
  GeneratingSources python_lines(archive);
  return checkCompat(readRequirements(archive), target, options, &python_lines);
}

TargetProfile withLoadedLibraries(TargetProfile target) {
  if (loadedOperatorLibraries().empty() || target.operator_list_only) return target;
  std::set<std::string> namespaces;
  for (const auto& schema : target.schemas) namespaces.insert(std::string(namespaceOf(schemaName(schema).first)));
  for (const auto& op : torch::jit::getAllOperators()) {
    const std::string& name = op->schema().name();
    if (namespaces.count(std::string(namespaceOf(name)))) continue;
    std::ostringstream text;
    text << op->schema();
    target.schemas.push_back(text.str());
  }
  std::sort(target.schemas.begin(), target.schemas.end());
  target.schemas.erase(std::unique(target.schemas.begin(), target.schemas.end()), target.schemas.end());
  for (const auto& library : loadedOperatorLibraries()) target.libraries.push_back(library);
  return target;
}

}  // namespace jitscope
