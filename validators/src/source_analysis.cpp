#include "source_analysis.h"

#include <fmt/format.h>

#include <cstring>
#include <map>
#include <stdexcept>

#include "branch_equivalence.h"
#include "jitscope/core/errors.h"
#include "python_syntax.h"
#include "trace_lines.h"

namespace jitscope {

// Note [Value flags]
// The analysis runs a small abstract interpretation over one function: each
// Python value gets a set of flags saying what it was computed from. A
// condition or trip count is then judged by its flags: a tensor's data
// (kTensor, or kNumber once taken out with .item()/int()/...), its shape
// (kShape while it is a traced size, kShapeNumber once baked into a Python
// int by len() or int()), its dtype or device, self.training, or a random
// draw. Values with no flag are static Python: attributes set in __init__,
// constants, loop indexes over static ranges, modules, the presence of an
// argument. Tracing keeps exactly the static ones.
//
// Conditions whose value is known for the trace (self.training as saved in
// the archive, torch.jit.is_scripting(), torch.jit.is_tracing()) are
// resolved: only the side the trace ran is read, and `and`/`or`
// short-circuit as Python does.
enum Flag : unsigned {
  kTensor = 1u << 0,
  kNumber = 1u << 1,
  kShape = 1u << 2,
  kShapeNumber = 1u << 3,
  kTraining = 1u << 4,
  kRandom = 1u << 5,
  kModule = 1u << 6,
  kSelf = 1u << 7,
  kNamespace = 1u << 8,       ///< a module name: torch, np, math, ...
  kListFromTensor = 1u << 9,  ///< a list whose length comes from tensor data or shape
  kDtype = 1u << 10,          ///< a tensor's dtype, or a test of it
  kDevice = 1u << 11,         ///< a tensor's device, or a test of it
  kFixedList = 1u << 12,      ///< a tuple/list argument: its length is fixed by the signature
  kPacked = 1u << 13,         ///< a PackedSequence from pack_padded_sequence / pack_sequence
  kRank = 1u << 14,           ///< x.dim(), x.ndim: fixed by the model's design for loops,
                              ///< a shape for branches
};
using Flags = unsigned;

struct SourceAnalyzer::CallArguments {
  std::vector<Flags> positional;
  std::map<std::string, Flags> keywords;
};

namespace {

constexpr Flags kDataFlags = kTensor | kNumber;
constexpr Flags kShapeFlags = kShape | kShapeNumber;
// What a value carries into ops built from it: module and namespace
// markers describe the callee, not the data.
constexpr Flags kValueFlags =
    kTensor | kNumber | kShape | kShapeNumber | kTraining | kRandom | kDtype | kDevice | kRank;
constexpr Flags kBindFlags = kValueFlags | kListFromTensor | kModule | kFixedList | kPacked;
constexpr int kMaxDepth = 200;  // nested expressions or statements of one function

bool isRandomFunction(const std::string& name) {
  static const std::set<std::string> names = {
      "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
      "bernoulli", "multinomial", "normal", "poisson", "random", "uniform", "choice",
      "shuffle", "exponential_", "uniform_", "normal_", "bernoulli_", "random_",
      "geometric_", "cauchy_", "log_normal_"};
  return names.count(name) > 0;
}

bool isSplitFunction(const std::string& name) {
  return name == "split" || name == "chunk" || name == "unbind" || name == "tensor_split" ||
         name == "split_with_sizes" || name == "unsqueeze_copy";
}

// nn.Module's own API: what it returns are modules, names or parameters,
// whose number is fixed by the model, not by the input.
bool isModuleApi(const std::string& name) {
  static const std::set<std::string> names = {
      "items", "values", "keys", "children", "named_children", "modules", "named_modules",
      "parameters", "named_parameters", "buffers", "named_buffers", "get_submodule",
      "get_parameter", "get_buffer", "state_dict"};
  return names.count(name) > 0;
}

std::string lastComponent(const std::string& dotted) {
  const auto dot = dotted.rfind('.');
  return dot == std::string::npos ? dotted : dotted.substr(dot + 1);
}

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// A branch side: the lines of a block or expression, or none.
struct Side {
  size_t first = 0;
  size_t last = 0;
  explicit operator bool() const { return first != 0; }
};

Side sideOf(const SyntaxNode& node) { return node ? Side{node.line(), node.endLine()} : Side{}; }

std::string linesText(const Side& side) {
  return side.first == side.last ? fmt::format("line {}", side.first)
                                 : fmt::format("lines {}-{}", side.first, side.last);
}

}  // namespace

// Analysis of one function body. Owned by SourceAnalyzer::run.
class FunctionAnalysis {
 public:
  FunctionAnalysis(SourceAnalyzer& owner, const PythonFunction& function, const ModuleFacts& self,
                   bool returns_model_output, const std::vector<ArgumentKind>* parameters,
                   const SourceAnalyzer::CallArguments* call)
      : owner_(owner), function_(function), self_(self),
        returns_model_output_(returns_model_output), parameters_(parameters), call_(call),
        file_(owner.locator_.fileForRecordedPath(function.file)) {}

  Flags run() {
    if (!function_.syntax) throw std::runtime_error("no parsed source");
    SyntaxNode def = function_.syntax->nodeAt(function_.start_byte, function_.end_byte);
    while (def && !def.is("function_definition")) def = def.parent();
    if (!def) throw std::runtime_error("definition not found in the parsed file");
    bindParameters(def.field("parameters"));
    block(def.field("body"));
    return returned_;
  }

 private:
  // ----- locations and findings --------------------------------------------
  SourceLocation locationOf(const SyntaxNode& node) const {
    return SourceLocation{function_.file, node.line(), node.column()};
  }
  std::string functionName() const {
    return function_.class_name.empty() ? function_.name
                                        : function_.class_name + "." + function_.name;
  }

  void report(CheckId check, const SyntaxNode& where, std::string message,
              std::vector<std::string> notes = {}) {
    Finding finding(check, std::move(message));
    finding.location = locationOf(where);
    finding.function = functionName();
    finding.module_path = self_.path;
    finding.notes = std::move(notes);
    owner_.out_.push_back(std::move(finding));
  }

  // Notes on what the trace holds for lines [first, last].
  std::string recordedNote(const Side& side, const std::string& what) const {
    const size_t count = owner_.trace_.countIn(function_.file, side.first, side.last);
    if (count == 0) return fmt::format("{} ({}) left no op in the traced graph", what, linesText(side));
    const TracedOp* op = owner_.trace_.firstIn(function_.file, side.first, side.last);
    return fmt::format("{} ({}) left {} op{} in the traced graph{}", what, linesText(side), count,
                       count == 1 ? "" : "s", op ? ", e.g. " + op->text : "");
  }

  struct DepthGuard {
    explicit DepthGuard(int& depth) : depth_(depth) {
      if (++depth_ > kMaxDepth) {
        --depth_;
        throw std::runtime_error(fmt::format("code nested more than {} levels deep", kMaxDepth));
      }
    }
    ~DepthGuard() { --depth_; }
    int& depth_;
  };

  // ----- parameters ----------------------------------------------------------
  static bool isStaticAnnotation(std::string_view type) {
    // int, float, bool, str and containers of them (Tuple[int, int],
    // List[int], Optional[float]): configuration, not data.
    std::string word;
    bool any = false;
    auto flush = [&]() {
      if (word.empty()) return true;
      static const std::set<std::string> scalars = {"int", "float", "bool", "str", "None"};
      static const std::set<std::string> wrappers = {"Optional", "List", "Tuple", "Sequence",
                                                     "typing", "list", "tuple", "Union"};
      const bool ok = scalars.count(word) || wrappers.count(word);
      any = any || scalars.count(word);
      word.clear();
      return ok;
    };
    for (const char c : type) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
        word += c;
      } else if (!flush()) {
        return false;
      }
    }
    return flush() && any;
  }

  static bool isContainerAnnotation(std::string_view type) {
    for (const char* prefix : {"List[", "Tuple[", "Sequence[", "Dict[", "list[", "tuple[", "dict[",
                               "Optional[List[", "Optional[Tuple[", "typing.List[", "typing.Tuple["}) {
      if (type.substr(0, std::strlen(prefix)) == prefix) return true;
    }
    return false;
  }

  static Flags flagsOf(ArgumentKind kind) {
    switch (kind) {
      case ArgumentKind::kTensor: return kTensor;
      case ArgumentKind::kTensorList: return kTensor | kFixedList;
      case ArgumentKind::kStatic: return 0;
    }
    return kTensor;
  }

  void bindParameters(const SyntaxNode& parameters) {
    size_t position = 0;
    bool first = true;
    for (const SyntaxNode& p : parameters.named()) {
      std::string name;
      SyntaxNode annotation, default_value;
      bool star = false;
      const std::string_view type = p.type();
      if (type == "identifier") {
        name = std::string(p.text());
      } else if (type == "typed_parameter") {
        for (const SyntaxNode& c : p.named()) {
          if (c.is("identifier")) {
            name = std::string(c.text());
            break;
          }
          if (c.is("list_splat_pattern") || c.is("dictionary_splat_pattern")) {
            name = std::string(c.text());
            star = true;
            break;
          }
        }
        annotation = p.field("type");
      } else if (type == "default_parameter" || type == "typed_default_parameter") {
        name = std::string(p.field("name").text());
        annotation = p.field("type");
        default_value = p.field("value");
      } else if (type == "list_splat_pattern" || type == "dictionary_splat_pattern") {
        star = true;
        for (const SyntaxNode& c : p.named()) name = std::string(c.text());
      } else {
        continue;  // `*` and `/` separators
      }
      if (first && name == "self" && !function_.class_name.empty()) {
        env_[name] = kSelf;
        first = false;
        continue;
      }
      first = false;
      if (star) {
        env_[name] = kTensor | kFixedList;  // *args: what the call passed, a fixed number
        continue;
      }
      const size_t index = position++;
      Flags flags = kTensor;
      if (call_) {
        // A followed call: what the caller passed; a list of sizes is not a
        // tensor. A parameter it did not pass keeps its default.
        if (index < call_->positional.size()) {
          flags = call_->positional[index];
        } else if (auto it = call_->keywords.find(name); it != call_->keywords.end()) {
          flags = it->second;
        } else if (default_value) {
          flags = 0;
          if (default_value.is("none")) known_none_.insert(name);
        }
        flags &= kBindFlags;
      } else if (parameters_ && index >= parameters_->size()) {
        flags = 0;  // not passed by the trace: it kept its default
        if (default_value && default_value.is("none")) known_none_.insert(name);
      } else if (parameters_ && annotation && isContainerAnnotation(annotation.text())) {
        // List[Tensor], Tuple[...]: the tracer passes a container's elements
        // as separate inputs (a submodule's graph shows them flattened), and
        // the trace accepts only that many: a fixed length.
        flags = kTensor | kFixedList;
      } else if (parameters_) {
        // An entry point: the traced graph's inputs say what each parameter
        // received; those past its inputs kept their defaults.
        flags = index < parameters_->size() ? flagsOf((*parameters_)[index]) : 0;
      } else if (annotation && isStaticAnnotation(annotation.text())) {
        flags = 0;
      } else if (default_value && !annotation && !default_value.is("none")) {
        flags = 0;  // a Python default (n=3, scale=1.0): configuration
      }
      env_[name] = flags;
    }
  }

  // ----- names -----------------------------------------------------------
  // The qualified name a dotted expression refers to when its root is a
  // module ("np.random.rand" -> "numpy.random.rand"), or "".
  std::string qualifiedName(const SyntaxNode& node) const {
    if (node.is("identifier")) {
      const std::string name(node.text());
      if (env_.count(name)) return "";
      if (file_) {
        const auto& imports = file_->imports();
        if (auto it = imports.find(name); it != imports.end()) return it->second;
      }
      static const std::map<std::string, std::string> usual = {
          {"torch", "torch"}, {"F", "torch.nn.functional"}, {"nn", "torch.nn"},
          {"np", "numpy"},    {"numpy", "numpy"},           {"math", "math"},
          {"random", "random"}, {"time", "time"},           {"os", "os"},
          {"datetime", "datetime"}};
      if (auto it = usual.find(name); it != usual.end()) return it->second;
      return "";
    }
    if (node.is("attribute")) {
      const std::string base = qualifiedName(node.field("object"));
      if (base.empty()) return "";
      return base + "." + std::string(node.field("attribute").text());
    }
    return "";
  }

  static bool isNamespaceRoot(const std::string& qualified) {
    static const std::set<std::string> roots = {"torch", "numpy", "math", "random", "time",
                                                "os", "datetime", "torchvision", "torchaudio",
                                                "typing", "warnings", "logging", "sys"};
    return roots.count(qualified.substr(0, qualified.find('.'))) > 0;
  }

  // Flags of `self.<name>`.
  Flags selfAttribute(const std::string& name) const {
    if (name == "training") {
      // Traced in eval mode, self.training is False in the trace and in
      // deployment alike: static. Traced in training mode (or unknown), it
      // froze a mode that deployment changes.
      return (self_.training && !*self_.training) ? 0 : kTraining;
    }
    if (self_.tensors.count(name)) return kTensor;
    if (self_.submodules.count(name)) return kModule;
    return 0;  // a Python attribute: configuration as far as tracing is concerned
  }

  // ----- static truth ------------------------------------------------------
  // The value a condition has in the trace, when the archive or the tracer
  // fixes it.
  std::optional<bool> staticTruth(const SyntaxNode& node) const {
    const std::string_view type = node.type();
    if (type == "parenthesized_expression") {
      const auto inner = node.named();
      return inner.size() == 1 ? staticTruth(inner[0]) : std::nullopt;
    }
    if (type == "true") return true;
    if (type == "false") return false;
    if (type == "not_operator") {
      const auto inner = staticTruth(node.field("argument"));
      return inner ? std::optional<bool>(!*inner) : std::nullopt;
    }
    if (type == "boolean_operator") {
      const auto left = staticTruth(node.field("left"));
      const auto right = staticTruth(node.field("right"));
      const bool is_and = node.field("operator").text() == "and";
      if (left && *left != is_and) return left;  // False and ..., True or ...
      if (left) return right;
      if (right && *right != is_and) return right;
      return std::nullopt;
    }
    if (type == "comparison_operator") {
      // `targets is not None` on a parameter the trace left at None.
      const Comparison parts = comparisonParts(node);
      const auto& operands = parts.operands;
      const std::string op = parts.operators.empty() ? "" : parts.operators.front();
      if (operands.size() == 2 && (op == "is" || op == "is not") && operands[1].is("none") &&
          operands[0].is("identifier") && known_none_.count(std::string(operands[0].text()))) {
        return op == "is";
      }
    }
    if (type == "attribute" && node.field("object").text() == "self" &&
        node.field("attribute").text() == "training" && self_.training) {
      return *self_.training;
    }
    if (type == "call") {
      const std::string callee = qualifiedName(node.field("function"));
      const std::string name = callee.empty() ? std::string(node.field("function").text()) : callee;
      if (name == "torch.jit.is_scripting" || name == "torch.onnx.is_in_onnx_export" ||
          name == "torch._C._is_scripting") {
        return false;
      }
      if (name == "torch.jit.is_tracing" || name == "torch._C._get_tracing_state" ||
          name == "torch.jit._trace.is_tracing" || name == "torchvision._is_tracing") {
        return true;
      }
    }
    return std::nullopt;
  }

  // ----- expressions -------------------------------------------------------
  Flags children(const SyntaxNode& node) {
    Flags flags = 0;
    for (const SyntaxNode& child : node.named()) flags |= expr(child);
    return flags & (kValueFlags | kListFromTensor | kFixedList);
  }

  Flags expr(const SyntaxNode& node) {
    if (!node) return 0;
    DepthGuard guard(depth_);
    const std::string_view type = node.type();
    if (type == "integer" || type == "float" || type == "true" || type == "false" ||
        type == "none" || type == "ellipsis" || type == "lambda") {
      return 0;
    }
    if (type == "string" || type == "concatenated_string") {
      // f-string fields are formatted text: numbers taken out there are
      // for messages, not for the graph.
      ++quiet_numbers_;
      children(node);
      --quiet_numbers_;
      return 0;
    }
    if (type == "identifier") {
      const std::string name(node.text());
      if (auto it = env_.find(name); it != env_.end()) return it->second;
      const std::string qualified = qualifiedName(node);
      if (!qualified.empty() && isNamespaceRoot(qualified)) return kNamespace;
      return 0;  // globals and builtins
    }
    if (type == "attribute") return attribute(node);
    if (type == "subscript") return subscript(node);
    if (type == "call") return call(node);
    if (type == "conditional_expression") return conditional(node);
    if (type == "boolean_operator") return booleanOperator(node);
    if (type == "comparison_operator") return comparison(node);
    if (type == "not_operator") return expr(node.field("argument"));
    if (type == "parenthesized_expression") {
      // (self.a)(x), (x.dtype == torch.half): the value inside, as it is.
      const auto inner = node.named();
      return inner.size() == 1 ? expr(inner[0]) : children(node);
    }
    if (type == "list_comprehension" || type == "generator_expression" ||
        type == "set_comprehension" || type == "dictionary_comprehension") {
      return comprehension(node);
    }
    if (type == "named_expression") {
      const Flags flags = expr(node.field("value"));
      bind(node.field("name"), flags);
      return flags;
    }
    if (type == "list" || type == "tuple" || type == "set" || type == "expression_list") {
      // A literal's length is written in the code: iterating it is static.
      Flags flags = 0;
      for (const SyntaxNode& child : node.named()) flags |= expr(child);
      flags &= kValueFlags | kListFromTensor | kModule;
      if ((flags & kTensor) && !(flags & kListFromTensor) && !hasSplat(node)) flags |= kFixedList;
      return flags;
    }
    return children(node);  // operators, dictionaries, slices, splats, await
  }

  static bool hasSplat(const SyntaxNode& node) {
    for (const SyntaxNode& child : node.named()) {
      if (child.is("list_splat") || child.is("dictionary_splat")) return true;
    }
    return false;
  }

  Flags attribute(const SyntaxNode& node) {
    const SyntaxNode object = node.field("object");
    const std::string name(node.field("attribute").text());
    const std::string qualified = qualifiedName(node);
    if (qualified == "os.environ") {
      outsideTorch(node, "`os.environ` is read at trace time: the traced model keeps the value "
                         "it saw then");
      return 0;
    }
    const Flags base = expr(object);
    if (base & kSelf) return selfAttribute(name);
    if (base & kNamespace) return kNamespace;  // torch.nn.functional, np.random, torch.float16
    if (base & kModule) return kModule;
    if (base & kDtype) return kDtype;  // x.dtype.is_floating_point, x.dtype.itemsize
    if (base & kDevice) return kDevice;  // x.device.type, x.device.index
    if (base & kTensor) {
      if (name == "shape") return kShape;
      if (name == "ndim") return kRank;
      if (name == "dtype" || name == "is_floating_point" || name == "is_complex") return kDtype;
      if (name == "device" || name == "is_cuda" || name == "is_cpu" || name == "is_mps") {
        return kDevice;
      }
      if (name == "requires_grad" || name == "is_sparse" || name == "layout") return 0;
    }
    return base & (kValueFlags | kListFromTensor | kFixedList);
  }

  Flags subscript(const SyntaxNode& node) {
    const Flags base = expr(node.field("value"));
    Flags index = 0;
    for (const SyntaxNode& i : node.fields("subscript")) index |= expr(i);
    if (base & kModule) return kModule;  // self.layers[i]
    if (base & kNamespace) return 0;      // typing: Optional[Tensor], List[int]
    // A tensor indexing a Python container goes through __index__: the
    // example's value picks the element once.
    if (!(base & (kTensor | kShape | kListFromTensor)) && (index & kTensor) &&
        quiet_numbers_ == 0) {
      pythonNumber(node, "indexing a Python container with a tensor");
    }
    Flags flags = (base & (kValueFlags | kListFromTensor | kFixedList)) | (index & kDataFlags);
    if (flags & kFixedList) flags = (flags & ~kFixedList) | kTensor;  // an element of the list
    return flags;
  }

  Flags conditional(const SyntaxNode& node) {
    const auto parts = node.named();  // body, condition, alternative
    if (parts.size() != 3) return children(node);
    const auto truth = staticTruth(parts[1]);
    const Flags cond = expr(parts[1]);
    if (truth) {
      if (cond & kTraining) controlFlow(node, cond, "conditional expression", sideOf(parts[0]), sideOf(parts[2]));
      return expr(*truth ? parts[0] : parts[2]) & kBindFlags;
    }
    controlFlow(node, cond, "conditional expression", sideOf(parts[0]), sideOf(parts[2]));
    return (expr(parts[0]) | expr(parts[2])) & kBindFlags;
  }

  Flags booleanOperator(const SyntaxNode& node) {
    const SyntaxNode left = node.field("left");
    const bool is_and = node.field("operator").text() == "and";
    const auto left_truth = staticTruth(left);
    const Flags left_flags = expr(left);
    // `self.training and torch.rand(1) < p` in an eval trace: Python never
    // evaluates the right side.
    if (left_truth && *left_truth != is_and) return left_flags;
    return (left_flags | expr(node.field("right"))) & kValueFlags;
  }

  // Operands and the operator between each pair, in order. A two-word
  // operator ("is not", "not in") arrives as two tokens of that type.
  struct Comparison {
    std::vector<SyntaxNode> operands;
    std::vector<std::string> operators;
  };
  static Comparison comparisonParts(const SyntaxNode& node) {
    Comparison parts;
    bool after_operand = false;
    for (const SyntaxNode& child : node.all()) {
      if (child.is("comment")) continue;
      if (child.isNamed()) {
        parts.operands.push_back(child);
        after_operand = true;
      } else if (after_operand) {
        parts.operators.emplace_back(child.type());
        after_operand = false;
      }
    }
    return parts;
  }

  Flags comparison(const SyntaxNode& node) {
    const Comparison parts = comparisonParts(node);
    const std::vector<std::string>& operators = parts.operators;
    std::vector<Flags> flags;
    for (const SyntaxNode& operand : parts.operands) flags.push_back(expr(operand));
    Flags result = 0;
    for (size_t i = 0; i + 1 < flags.size(); ++i) {
      const std::string op = i < operators.size() ? operators[i] : "";
      if (op == "is" || op == "is not") {
        // `mask is None`: which arguments a call passed, fixed by the
        // traced signature. Identity of other objects is static too.
        continue;
      }
      if (op == "in" || op == "not in") {
        // `name in self.return_layers`, `"boxes" in target`: membership in a
        // Python container (a dict of tensors included) is decided on the
        // keys, Python values; only numbers taken out of tensors carry data
        // into it, and a tensor tested against a tensor compares data.
        Flags carried = kNumber | kShapeNumber | kRandom | kDtype | kDevice | kTraining;
        if (flags[i + 1] & (kTensor | kShape) && !(flags[i + 1] & kFixedList)) carried |= kTensor | kShape;
        result |= flags[i] & carried;
        continue;
      }
      result |= flags[i] | flags[i + 1];
    }
    return result & kValueFlags;
  }

  Flags comprehension(const SyntaxNode& node) {
    const std::string what = node.is("list_comprehension")        ? "list comprehension"
                             : node.is("dictionary_comprehension") ? "dict comprehension"
                             : node.is("set_comprehension")        ? "set comprehension"
                                                                   : "generator expression";
    Flags iter_flags = 0;
    for (const SyntaxNode& clause : node.named()) {
      if (clause.is("for_in_clause")) {
        const Flags iter = iteration(node, clause.field("right"), what);
        iter_flags |= iter;
        bind(clause.field("left"), elementFlags(iter));
      } else if (clause.is("if_clause")) {
        for (const SyntaxNode& c : clause.named()) expr(c);
      }
    }
    Flags out = expr(node.field("body"));
    if (iter_flags & (kDataFlags | kShapeFlags) && !(iter_flags & (kModule | kFixedList))) {
      out |= kListFromTensor;
    }
    out &= kValueFlags | kListFromTensor;
    // Mapping a fixed-length list gives a fixed-length list.
    if ((iter_flags & kFixedList) && !(out & kListFromTensor) && !node.is("generator_expression")) {
      out |= kFixedList;
    }
    return out;
  }

  static Flags elementFlags(Flags iter) {
    if (iter & kModule) return kModule;
    return (iter & (kTensor | kListFromTensor)) ? kTensor : (iter & kBindFlags);
  }

  // ----- calls -------------------------------------------------------------
  struct Arguments {
    std::vector<Flags> positional;
    std::map<std::string, Flags> keywords;
    std::vector<SyntaxNode> positional_nodes;
    Flags all = 0;
  };

  Arguments arguments(const SyntaxNode& list) {
    Arguments args;
    if (list.is("generator_expression")) {  // sum(t for t in xs): one argument
      args.all = expr(list);
      args.positional.push_back(args.all);
      args.positional_nodes.push_back(list);
      return args;
    }
    for (const SyntaxNode& a : list.named()) {
      if (a.is("keyword_argument")) {
        const Flags f = expr(a.field("value"));
        args.keywords[std::string(a.field("name").text())] = f;
        args.all |= f;
      } else {
        const Flags f = expr(a);
        args.positional.push_back(f);
        args.positional_nodes.push_back(a);
        args.all |= f;
      }
    }
    return args;
  }

  static bool isLogging(const std::string& callee, const std::string& qualified) {
    const std::string last = lastComponent(callee);
    return callee == "print" || last == "warn" || last == "warning" || last == "info" ||
           last == "debug" || last == "log" || startsWith(qualified, "logging.") ||
           startsWith(qualified, "warnings.");
  }

  Flags call(const SyntaxNode& node) {
    const SyntaxNode callee = node.field("function");
    const SyntaxNode list = node.field("arguments");
    const std::string callee_text(callee.text());
    const std::string qualified = qualifiedName(callee);
    const bool logging = isLogging(callee_text, qualified);
    if (logging) ++quiet_numbers_;
    Arguments args = arguments(list);
    if (logging) {
      --quiet_numbers_;
      return 0;
    }
    const Flags data_args = args.all & kValueFlags;
    // A dtype or device taken from a tensor and handed to an op is recorded
    // as the example's constant.
    checkDtypeArgument(node, args);

    if (callee.is("identifier") && qualified.empty()) {
      const std::string name = callee_text;
      if (name == "int" || name == "float" || name == "bool") {
        if (args.all & kTensor) {
          pythonNumber(node, fmt::format("{}() of a tensor", name));
          return kNumber | (args.all & kRandom);
        }
        if (args.all & kNumber) return kNumber | (args.all & kRandom);  // already out of the graph
        if (args.all & kShape) {
          // A traced size stays symbolic only while it feeds tensor ops;
          // int() of it is a plain Python number.
          pythonNumber(node, fmt::format("{}() of a tensor size", name));
          return kShapeNumber;
        }
        if (args.all & kShapeNumber) return kShapeNumber;
        return args.all & kValueFlags;
      }
      if (name == "len") {
        if (args.all & kFixedList) return 0;  // a tuple argument: fixed by the signature
        if (args.all & kTensor) {
          pythonNumber(node, "len() of a tensor");
          return kShapeNumber;
        }
        if (args.all & kListFromTensor) return kShapeNumber;
        // len(x.shape), len(x.size()): the rank.
        if ((args.all & kShape) && !(args.all & kShapeNumber)) return kRank;
        return args.all & kShapeFlags;
      }
      if (name == "min" || name == "max") return minMax(node, name, args);
      if (name == "range" || name == "zip" || name == "enumerate" || name == "reversed" ||
          name == "list" || name == "tuple" || name == "sorted" || name == "sum" ||
          name == "abs" || name == "round" || name == "iter" || name == "next" ||
          name == "map" || name == "filter" || name == "any" || name == "all") {
        return args.all & (kValueFlags | kListFromTensor | kModule | kFixedList);
      }
      if (name == "isinstance" || name == "hasattr" || name == "getattr" || name == "super" ||
          name == "type" || name == "str" || name == "repr" || name == "id" ||
          name == "callable" || name == "issubclass") {
        return 0;
      }
      if (auto returned = followFunction(name, args)) return *returned;
      return data_args ? (kTensor | (data_args & kRandom)) : 0;
    }

    if (!qualified.empty() && isNamespaceRoot(qualified)) {
      return namespaceCall(node, qualified, callee_text, args);
    }
    if (qualified.empty() && callee.is("identifier")) return data_args ? kTensor : 0;
    if (!callee.is("attribute")) {
      const Flags f = expr(callee);
      if (f & kModule) return kTensor;  // (self.blocks[i])(x)
      return data_args | (data_args ? kTensor : 0);
    }

    const std::string method(callee.field("attribute").text());
    const SyntaxNode object = callee.field("object");
    const Flags receiver = expr(object);
    if (receiver & kSelf) {  // self.method(...) or self.submodule(...)
      if (self_.submodules.count(method)) {
        if (args.positional.size() == 1 && (args.positional[0] & kPacked) && args.keywords.empty() &&
            owner_.tracer_.rnn_state_from_python_int) {
          packedWithoutState(node);
        }
        return kTensor;
      }
      if (isModuleApi(method)) return kModule;
      if (auto returned = followMethod(method, args)) return *returned;
      return data_args ? (kTensor | (data_args & kRandom)) : 0;
    }
    if (receiver & kModule) {
      if (isModuleApi(method)) return kModule;  // self.layers.items()
      return kTensor;                           // self.layers[i](x), self.block.sub(x)
    }
    if (receiver & (kTensor | kNumber)) {
      if (method == "item" || method == "tolist" || method == "numpy") {
        if ((receiver & kTensor) && !(receiver & kFixedList)) {
          pythonNumber(node, fmt::format(".{}()", method));
        }
        return kNumber | (receiver & kRandom);
      }
      if (method == "dim" || method == "ndimension") return kRank;
      if (method == "size" || method == "numel" || method == "nelement") return kShape;
      if (method == "is_floating_point" || method == "is_complex" || method == "element_size" ||
          method == "is_signed") {
        return kDtype;
      }
      if (method == "get_device") return kDevice;
      if (method == "new_tensor") return constructedTensor(node, args);
      if (isSplitFunction(method)) return kTensor | kListFromTensor;
      if (isRandomFunction(method)) return kTensor | kRandom;
      if (method.size() > 1 && method.back() == '_' && isDataAccess(object)) {
        report(CheckId::kTraceInplaceUpdate, node,
               fmt::format("in-place `.{}` through `.data` is invisible to the tracer: the "
                           "traced model never performs this update",
                           method),
               {"write to the tensor itself (without .data) so the tracer records the op"});
      }
      return (receiver | data_args) & (kValueFlags & ~(kDtype | kDevice));
    }
    if (receiver & kShape) return (receiver | data_args) & kValueFlags;  // x.shape.numel()
    if (receiver & (kDtype | kDevice)) return receiver & (kDtype | kDevice);
    return (receiver | data_args) & kValueFlags;
  }

  static bool isDataAccess(const SyntaxNode& value) {
    return value.is("attribute") && value.field("attribute").text() == "data";
  }

  // torch.*, numpy.*, math.*, random.*, time.*, os.*
  // `spelled` is the callee as the user wrote it, for messages.
  Flags namespaceCall(const SyntaxNode& node, const std::string& qualified,
                      const std::string& spelled, const Arguments& args) {
    const std::string root = qualified.substr(0, qualified.find('.'));
    const std::string last = lastComponent(qualified);
    const Flags data_args = args.all & kValueFlags;
    if (root == "numpy") {
      if (startsWith(qualified, "numpy.random.")) {
        outsideTorch(node, fmt::format("`{}()` is drawn once, at trace time: the traced model "
                                       "replays that one value on every call",
                                       spelled));
        return 0;
      }
      if (data_args & (kDataFlags | kShapeFlags)) {
        outsideTorch(node, fmt::format("`{}()` computes in NumPy on the example's values at "
                                       "trace time: the result is baked in as a constant",
                                       spelled));
      }
      return 0;
    }
    if (root == "random") {
      outsideTorch(node, fmt::format("Python's `{}()` is drawn once, at trace time: the traced "
                                     "model replays that one value on every call",
                                     spelled));
      return 0;
    }
    if (root == "time" || root == "datetime") {
      outsideTorch(node, fmt::format("`{}()` is read once, at trace time, and baked in as a "
                                     "constant",
                                     spelled));
      return 0;
    }
    if (qualified == "os.getenv" || startsWith(qualified, "os.environ")) {
      outsideTorch(node, "the environment is read at trace time: the traced model keeps the "
                         "value it saw then");
      return 0;
    }
    if (root == "math") {
      if (data_args & (kTensor | kNumber)) {
        pythonNumber(node, fmt::format("`{}()` of a tensor value", spelled));
        return kNumber;
      }
      if (data_args & kShape) {
        pythonNumber(node, fmt::format("`{}()` of a tensor size", spelled));
        return kShapeNumber;
      }
      return data_args & kValueFlags;
    }
    if (root == "warnings" || root == "logging" || root == "typing" || root == "sys") return 0;
    // torch, torchvision, torchaudio
    if (qualified == "torch.jit.is_scripting" || qualified == "torch.jit.is_tracing" ||
        qualified == "torch.onnx.is_in_onnx_export" || qualified == "torch._C._get_tracing_state" ||
        qualified == "torchvision._is_tracing") {
      return 0;
    }
    if (qualified == "torch.finfo" || qualified == "torch.iinfo") {
      if (args.all & kDtype) {
        report(CheckId::kTraceDtypeDependent, node,
               fmt::format("`{}` of a tensor's dtype is evaluated in Python: the limits of the "
                           "example's dtype are baked in as constants",
                           spelled),
               {"inputs of another dtype get the example's limits (e.g. float32's min "
                "overflows to -inf in float16)",
                "use a value valid for every dtype you deploy, or script this function"});
      }
      return 0;
    }
    if (last == "is_floating_point" || last == "is_complex") return (args.all & kTensor) ? kDtype : 0;
    if (last == "is_tensor" || last == "is_grad_enabled" || last == "get_default_dtype") return 0;
    if (last == "manual_seed" || last == "seed") {
      report(CheckId::kTraceRandomOp, node,
             fmt::format("`{}()` in forward is not recorded by the tracer: the traced model never "
                         "reseeds, so its random ops draw differently from eager on every call",
                         spelled),
             {"seed once outside the model, or pass a torch.Generator"});
      return 0;
    }
    if (startsWith(qualified, "torch.") && isRandomFunction(last)) return kTensor | kRandom;
    if (last == "tensor" || last == "as_tensor" || last == "from_numpy" || last == "Tensor" ||
        last == "LongTensor" || last == "FloatTensor" || last == "BoolTensor") {
      return constructedTensor(node, args);
    }
    if (last == "device" || last == "dtype") return 0;  // torch.device("cuda")
    if (isSplitFunction(last)) return kTensor | kListFromTensor;
    if (last == "pack_padded_sequence" || last == "pack_sequence") return kTensor | kPacked;
    return kTensor | (data_args & kRandom);
  }

  // nn.GRU/LSTM/RNN on a PackedSequence with no initial state build one with
  // int(batch_sizes[0]) in PyTorch's Python: the example's batch size.
  void packedWithoutState(const SyntaxNode& node) {
    report(CheckId::kTracePythonNumber, node,
           "a recurrent layer called on a PackedSequence without an initial state sizes that "
           "state with int(batch_sizes[0]) in Python: the trace bakes in the example's batch size",
           {"other batch sizes fail with a size mismatch in the traced model",
            "pass an initial state built with tensor ops (e.g. x.new_zeros(layers, x.size(0), "
            "hidden)), or script the module"});
  }

  // min()/max() of sizes or values compare in Python: the trace keeps the
  // one the example picked.
  Flags minMax(const SyntaxNode& node, const std::string& name, const Arguments& args) {
    size_t shaped = 0, data = 0;
    for (const Flags f : args.positional) {
      if (f & (kTensor | kNumber)) ++data;
      if (f & (kShape | kShapeNumber)) ++shaped;
    }
    const bool one_iterable = args.positional.size() == 1;
    if (!one_iterable && data >= 1 && (args.all & kTensor) && quiet_numbers_ == 0) {
      report(CheckId::kTraceDataDependentBranch, node,
             fmt::format("`{}()` compares tensor values in Python: the trace keeps whichever "
                         "one the example picked",
                         name),
             {fmt::format("use torch.{}imum (or torch.clamp) so the choice stays in the graph",
                          name == "min" ? "min" : "max")});
      return kNumber;
    }
    if (!one_iterable && shaped >= 2 && quiet_numbers_ == 0) {
      report(CheckId::kTraceShapeDependentBranch, node,
             fmt::format("`{}()` compares sizes in Python: the trace keeps whichever one the "
                         "example picked",
                         name),
             {"inputs whose sizes compare the other way get the example's choice",
              fmt::format("use torch.{}imum of the sizes, or script this function",
                          name == "min" ? "min" : "max")});
      return kShapeNumber;
    }
    return args.all & (kValueFlags | kListFromTensor);
  }

  void checkDtypeArgument(const SyntaxNode& node, const Arguments& args) {
    if (quiet_numbers_ > 0) return;
    bool dtype_from_tensor = false;
    for (const auto& [name, flags] : args.keywords) {
      if (name == "dtype" && (flags & kDtype)) dtype_from_tensor = true;
    }
    const SyntaxNode callee = node.field("function");
    const std::string method =
        callee.is("attribute") ? std::string(callee.field("attribute").text()) : "";
    if ((method == "to" || method == "type") && !args.positional.empty() &&
        (args.positional[0] & kDtype) && !(args.positional[0] & kTensor)) {
      dtype_from_tensor = true;
    }
    if (!dtype_from_tensor) return;
    report(CheckId::kTraceDtypeDependent, node,
           "a dtype taken from a tensor is recorded as the example's dtype: inputs of another "
           "dtype get the same constant",
           {"use ops that follow their input's dtype (x.new_zeros, torch.zeros_like, "
            "y.type_as(x)), or script this function"});
  }

  Flags constructedTensor(const SyntaxNode& node, const Arguments& args) {
    if (args.positional_nodes.empty()) return kTensor;
    const SyntaxNode data = args.positional_nodes[0];
    // A bare size (torch.tensor(x.shape[-1])) is traced through
    // prim::NumToTensor; a Python list or comprehension is not.
    // torch.tensor(x.shape) and torch.tensor(t) copy Python values too.
    const bool sequence = data.is("list") || data.is("tuple") || data.is("list_comprehension") ||
                          data.is("generator_expression") ||
                          (data.is("attribute") && data.field("attribute").text() == "shape") ||
                          (data.is("call") && data.field("function").is("attribute") &&
                           data.field("function").field("attribute").text() == "size" &&
                           data.field("arguments").named().empty());
    suppress_loops_ += 1;
    const Flags flags = expr(data);  // evaluated again without loop findings
    suppress_loops_ -= 1;
    if ((sequence && (flags & (kShapeFlags | kDataFlags))) ||
        (flags & (kNumber | kShapeNumber | kTensor))) {
      report(CheckId::kTraceConstantTensor, node,
             "tensor built from Python values in forward is baked into the trace as a "
             "constant",
             {"its values came from the example's shape or data; other inputs get the same "
              "constant",
              "build it with tensor ops (torch.stack, torch.arange(x.size(1)), x.new_tensor) "
              "so the tracer records how it is computed"});
    }
    return kTensor;
  }

  void pythonNumber(const SyntaxNode& node, const std::string& how) {
    if (quiet_numbers_ > 0) return;
    report(CheckId::kTracePythonNumber, node,
           fmt::format("{} turns a tensor value into a Python number, which the trace "
                       "records as a constant",
                       how),
           {"keep the value a tensor (e.g. x.max() instead of x.max().item()), or script "
            "this function"});
  }

  void outsideTorch(const SyntaxNode& node, std::string message) {
    if (quiet_numbers_ > 0) return;
    report(CheckId::kTraceOutsideTorch, node, std::move(message),
           {"the tracer records only torch ops: a value computed outside torch is a constant "
            "in the traced graph",
            "compute it with torch ops on the inputs (torch.rand for randomness), or pass it "
            "in as an input"});
  }

  // Flags of what a for/comprehension iterates over, reporting unrolling.
  Flags iteration(const SyntaxNode& where, const SyntaxNode& iter, const std::string& what) {
    const bool over_range = iter.is("call") && iter.field("function").text() == "range";
    const Flags flags = expr(iter);
    if (suppress_loops_ > 0) return flags;
    // A list whose length the code or the signature fixes, or a Size
    // (`for s in x.shape`, `zip(a.shape, b.shape)`: as many steps as the
    // rank, which the model's design fixes): the trace repeats it as eager.
    if ((flags & kFixedList) && !(flags & (kListFromTensor | kRandom))) return flags;
    if (!over_range && (flags & kShape) && !(flags & (kTensor | kNumber | kShapeNumber | kListFromTensor | kRandom))) {
      return flags;
    }
    if (flags & kRandom) {
      report(CheckId::kTraceRandomOp, where,
             fmt::format("{} trip count comes from a random draw made once at trace time", what));
    } else if (!over_range && (flags & (kTensor | kListFromTensor)) &&
               !(flags & (kModule | kFixedList))) {
      report(CheckId::kTraceTensorIteration, where,
             fmt::format("{} over a tensor was unrolled to the example's length", what),
             {"the traced model handles exactly as many elements as the example had"});
    } else if ((flags & kDataFlags) && !(flags & (kModule | kFixedList))) {
      report(CheckId::kTraceDataDependentLoop, where,
             fmt::format("{} whose trip count depends on tensor data was unrolled for the "
                         "example",
                         what),
             {"script this loop (torch.jit.script) so it stays a prim::Loop"});
    } else if (flags & kShapeFlags) {
      report(CheckId::kTraceShapeDependentLoop, where,
             fmt::format("{} over a tensor's size was unrolled to the example's size", what),
             {"other sizes run the wrong number of iterations; script this loop or use "
              "vectorized ops"});
    }
    return flags;
  }

  // What the trace kept of each side of a branch: when exactly one side left
  // ops, that is the side the example took.
  std::vector<std::string> branchNotes(const Side& if_true, const Side& if_false) const {
    auto count = [this](const Side& side) {
      return side ? owner_.trace_.countIn(function_.file, side.first, side.last) : 0;
    };
    const size_t t = count(if_true);
    const size_t f = count(if_false);
    const bool single_line = if_true && if_false && if_true.first == if_false.first;
    std::vector<std::string> notes;
    if (!single_line && (t > 0) != (f > 0)) {
      const Side& taken = t > 0 ? if_true : if_false;
      const Side& dropped = t > 0 ? if_false : if_true;
      notes.push_back(recordedNote(taken, fmt::format("the trace took the {} branch",
                                                      t > 0 ? "true" : "false")));
      notes.push_back(dropped ? fmt::format("the {} branch ({}) never made it into the graph",
                                            t > 0 ? "false" : "true", linesText(dropped))
                              : "the `if` has no else branch: the trace either always or never "
                                "runs its body");
      return notes;
    }
    if (if_true) notes.push_back(recordedNote(if_true, "the true branch"));
    if (if_false) {
      notes.push_back(recordedNote(if_false, "the false branch"));
    } else {
      notes.push_back("the `if` has no else branch: the trace either always or never runs its body");
    }
    if (t == 0 && f == 0 && if_false) {
      notes.push_back("neither side left an op: the side the example took computes nothing the graph "
                      "records (it returns or keeps its input)");
    }
    return notes;
  }

  // Reports a branch whose condition has `cond` flags.
  void controlFlow(const SyntaxNode& where, Flags cond, const std::string& what, const Side& if_true,
                   const Side& if_false) {
    CheckId check;
    std::string message;
    if (cond & kRandom) {
      check = CheckId::kTraceRandomOp;
      message = fmt::format("{} on a random draw was decided once at trace time", what);
    } else if (cond & kDataFlags) {
      check = CheckId::kTraceDataDependentBranch;
      message = fmt::format("{} on tensor data was frozen to the branch the example took", what);
    } else if (cond & kShapeFlags) {
      check = CheckId::kTraceShapeDependentBranch;
      message = fmt::format("{} on a tensor's shape was frozen for the example's shape", what);
    } else if (cond & kRank) {
      // `if x.dim() == 3: x = x.unsqueeze(0)`: frozen too, but a model is
      // served with the rank it was traced with far more often than not.
      check = CheckId::kTraceShapeDependentBranch;
      message = fmt::format("{} on a tensor's rank (dim(), ndim) was frozen for the example's rank",
                            what);
    } else if (cond & kDtype) {
      check = CheckId::kTraceDtypeDependent;
      message = fmt::format("{} on a tensor's dtype was frozen for the example's dtype", what);
    } else if (cond & kDevice) {
      check = CheckId::kTraceBakedDevice;
      message = fmt::format("{} on a tensor's device was frozen for the device the model was "
                            "traced on",
                            what);
    } else if (cond & kTraining) {
      check = CheckId::kTraceTrainingBranch;
      message = fmt::format("{} on self.training was fixed to the mode the model was traced in",
                            what);
    } else {
      return;
    }
    std::vector<std::string> notes = branchNotes(if_true, if_false);
    const bool rank_only = check == CheckId::kTraceShapeDependentBranch && !(cond & kShapeFlags);
    if (rank_only) {
      notes.insert(notes.begin(), "a note, not a warning: only inputs of another rank take the other "
                                  "branch; serve the rank you traced, or script this function");
    }
    notes.push_back(check == CheckId::kTraceTrainingBranch
                        ? "the traced model keeps the mode it was traced in, whatever .train()/.eval() "
                          "say later; trace in the mode you deploy, or script this branch"
                        : "script this function (torch.jit.script), or use torch.where");
    report(check, where, message, std::move(notes));
    if (rank_only) owner_.out_.back().severity = Severity::kNote;
  }

  // ----- statements ----------------------------------------------------------
  void bind(const SyntaxNode& target, Flags flags) {
    if (!target) return;
    const std::string_view type = target.type();
    if (type == "identifier") {
      known_none_.erase(std::string(target.text()));
      env_[std::string(target.text())] = flags & kBindFlags;
    } else if (type == "pattern_list" || type == "tuple_pattern" || type == "list_pattern" ||
               type == "expression_list" || type == "tuple" || type == "list" ||
               type == "parenthesized_expression") {
      const Flags element = (flags & kFixedList) ? ((flags & ~kFixedList) | kTensor) : flags;
      for (const SyntaxNode& sub : target.named()) bind(sub, element);
    } else if (type == "list_splat_pattern" || type == "list_splat") {
      for (const SyntaxNode& sub : target.named()) bind(sub, flags);
    }
  }

  // `self.x = ...`, `self.x += ...`, `self.cache[k] = ...` in forward.
  void checkStateWrite(const SyntaxNode& target, const SyntaxNode& stmt) {
    SyntaxNode base = target;
    while (base.is("subscript")) base = base.field("value");
    if (!base.is("attribute")) return;
    const std::string name(base.field("attribute").text());
    if (name == "data") {
      report(CheckId::kTraceInplaceUpdate, stmt, "assignment through `.data` is invisible to the tracer");
      return;
    }
    if (base.field("object").text() == "self" && env_.count("self")) {
      if (self_.tensors.count(name) == 0 && self_.submodules.count(name) == 0) {
        report(CheckId::kTracePythonState, stmt,
               fmt::format("forward writes the Python attribute `self.{}`: the trace bakes in "
                           "the value it had while tracing and never updates it",
                           name),
               {"keep state in a registered buffer updated with tensor ops, or out of "
                "forward"});
      }
    }
  }

  void assignTarget(const SyntaxNode& target, const SyntaxNode& value, Flags flags,
                    const SyntaxNode& stmt) {
    checkGlobalWrite(target, stmt);
    if (target.is("attribute") || target.is("subscript")) {
      checkStateWrite(target, stmt);
      if (target.is("subscript")) {
        expr(target.field("value"));
        for (const SyntaxNode& i : target.fields("subscript")) expr(i);
      }
      return;
    }
    // `a, b = x, y`: element by element.
    const bool unpack = target.is("pattern_list") || target.is("tuple_pattern") ||
                        target.is("list_pattern");
    if (unpack && value && (value.is("expression_list") || value.is("tuple") || value.is("list"))) {
      const auto targets = target.named();
      const auto values = value.named();
      if (targets.size() == values.size()) {
        for (size_t i = 0; i < targets.size(); ++i) {
          // Already evaluated as part of `flags`: re-evaluating is pure
          // except for findings, which merge by line.
          assignTarget(targets[i], values[i], exprQuiet(values[i]), stmt);
        }
        return;
      }
    }
    bind(target, flags);
  }

  Flags exprQuiet(const SyntaxNode& node) {
    const size_t before = owner_.out_.size();
    const Flags flags = expr(node);
    owner_.out_.erase(owner_.out_.begin() + static_cast<std::ptrdiff_t>(before), owner_.out_.end());
    return flags;
  }

  void assignment(const SyntaxNode& node) {
    // a = b = value: the right side of the last `=`.
    std::vector<SyntaxNode> targets;
    SyntaxNode current = node;
    while (current.is("assignment")) {
      targets.push_back(current.field("left"));
      current = current.field("right");
    }
    const Flags flags = current ? expr(current) : 0;
    for (const SyntaxNode& target : targets) assignTarget(target, current, flags, node);
  }

  // `global CALLS` ... `CALLS += 1`: module state the trace bakes in.
  void checkGlobalWrite(const SyntaxNode& target, const SyntaxNode& stmt) {
    SyntaxNode base = target;
    while (base.is("subscript") || base.is("attribute")) {
      base = base.is("subscript") ? base.field("value") : base.field("object");
    }
    if (!base.is("identifier") || !globals_.count(std::string(base.text()))) return;
    report(CheckId::kTracePythonState,
           stmt,
           fmt::format("forward writes the global `{}`: the trace bakes in the value it had while "
                       "tracing and never updates it",
                       base.text()),
           {"keep state in a registered buffer updated with tensor ops, or out of forward"});
  }

  void augmentedAssignment(const SyntaxNode& node) {
    const Flags flags = expr(node.field("right"));
    const SyntaxNode target = node.field("left");
    checkStateWrite(target, node);
    checkGlobalWrite(target, node);
    if (target.is("identifier")) env_[std::string(target.text())] |= flags & kValueFlags;
  }

  void block(const SyntaxNode& body) {
    if (!body) return;
    DepthGuard guard(depth_);
    for (const SyntaxNode& stmt : body.named()) {
      statement(stmt);
      // `if torchvision._is_tracing(): return ...`: what follows never ran
      // in the trace.
      if (stmt.is("if_statement") && takenSideLeaves(stmt)) break;
    }
  }

  // True when the `if` has a condition fixed for the trace and the side
  // taken ends in return or raise.
  bool takenSideLeaves(const SyntaxNode& stmt) const {
    const auto truth = staticTruth(stmt.field("condition"));
    if (!truth) return false;
    SyntaxNode taken;
    if (*truth) {
      taken = stmt.field("consequence");
    } else {
      const auto alternatives = stmt.fields("alternative");
      if (alternatives.empty() || !alternatives.front().is("else_clause")) return false;
      taken = alternatives.front().field("body");
    }
    const auto statements = taken.named();
    return !statements.empty() &&
           (statements.back().is("return_statement") || statements.back().is("raise_statement"));
  }

  void ifChain(const SyntaxNode& where, const SyntaxNode& condition, const SyntaxNode& consequence,
               const std::vector<SyntaxNode>& alternatives, size_t next) {
    Side false_side;
    if (next < alternatives.size()) {
      false_side = Side{alternatives[next].line(), alternatives.back().endLine()};
    }
    const auto truth = staticTruth(condition);
    const Flags cond = expr(condition);
    if (!truth || (cond & kTraining)) {
      if (next >= alternatives.size() && onlyRaises(consequence)) {
        inputCheck(where, cond);
      } else {
        const size_t before = owner_.out_.size();
        controlFlow(where, cond, "`if`", sideOf(consequence), false_side);
        if (owner_.out_.size() > before && (cond & (kDataFlags | kShapeFlags | kRank)) && !(cond & kRandom)) {
          if (auto why = equivalentSides(where, consequence, alternatives, next)) {
            // Freezing either side loses nothing.
            owner_.out_.back().severity = Severity::kNote;
            owner_.out_.back().notes.insert(owner_.out_.back().notes.begin(), "harmless: " + *why);
          }
        }
      }
    }
    auto run_false = [&]() {
      if (next >= alternatives.size()) return;
      const SyntaxNode& alt = alternatives[next];
      if (alt.is("elif_clause")) {
        ifChain(alt, alt.field("condition"), alt.field("consequence"), alternatives, next + 1);
      } else {
        block(alt.field("body"));
      }
    };
    if (truth) {
      // Only the side the trace ran is in the graph.
      if (*truth) {
        block(consequence);
      } else {
        run_false();
      }
      return;
    }
    const auto before = env_;
    block(consequence);
    auto after_true = env_;
    env_ = before;
    run_false();
    for (const auto& [name, flags] : after_true) env_[name] |= flags;
  }

  // ----- equivalent sides ------------------------------------------------------
  // Why the two sides of a frozen `if` compute the same thing, if they do:
  // the same code, or agreement when run on random inputs.
  std::optional<std::string> equivalentSides(const SyntaxNode& where, const SyntaxNode& consequence,
                                             const std::vector<SyntaxNode>& alternatives,
                                             size_t next) {
    std::vector<SyntaxNode> side_a = consequence.named();
    std::vector<SyntaxNode> side_b;
    if (next + 1 == alternatives.size() && alternatives[next].is("else_clause")) {
      side_b = alternatives[next].field("body").named();
    } else if (next == alternatives.size() && where.is("if_statement") && !side_a.empty() &&
               side_a.back().is("return_statement")) {
      // `if c: return A` then `return B`: the rest of the block is the other side.
      const SyntaxNode parent = where.parent();
      bool after = false;
      for (const SyntaxNode& stmt : parent.named()) {
        if (after) side_b.push_back(stmt);
        if (stmt.startByte() == where.startByte()) after = true;
      }
    }
    if (side_a.empty() || side_b.empty()) return std::nullopt;
    if (sameCode(side_a, side_b)) return std::string("both sides of this `if` are the same code");
    const bool returns_a = side_a.back().is("return_statement");
    const bool returns_b = side_b.back().is("return_statement");
    if (returns_a != returns_b) return std::nullopt;
    // The tensors the sides read: locals and arguments known to be tensors.
    std::set<std::string> names;
    for (const auto& stmt : side_a) collectNames(stmt, names);
    for (const auto& stmt : side_b) collectNames(stmt, names);
    std::vector<std::string> inputs;
    for (const auto& name : names) {
      auto it = env_.find(name);
      if (it == env_.end()) continue;  // a module (torch), a builtin, or assigned in a side
      if (it->second != kTensor) return std::nullopt;  // self, sizes, numbers: not a plain tensor
      inputs.push_back(name);
    }
    std::vector<std::string> outputs;
    if (!returns_a) {
      std::set<std::string> assigned_a, assigned_b;
      for (const auto& stmt : side_a) collectAssigned(stmt, assigned_a);
      for (const auto& stmt : side_b) collectAssigned(stmt, assigned_b);
      for (const auto& name : assigned_a) {
        if (assigned_b.count(name)) outputs.push_back(name);
      }
    }
    const auto agreed = sidesAgree(BranchSide{dedented(side_a), returns_a},
                                   BranchSide{dedented(side_b), returns_b}, inputs, outputs);
    if (!agreed) return std::nullopt;
    return fmt::format("both sides of this `if` gave the same result on {} random inputs (each "
                       "side run as a TorchScript function of its tensors); evidence, not proof",
                       *agreed);
  }

  // Identifiers a statement reads or writes, leaving out attribute names
  // and keyword names.
  static void collectNames(const SyntaxNode& node, std::set<std::string>& out) {
    if (node.is("identifier")) {
      out.emplace(node.text());
      return;
    }
    if (node.is("attribute")) {
      collectNames(node.field("object"), out);
      return;
    }
    if (node.is("keyword_argument")) {
      collectNames(node.field("value"), out);
      return;
    }
    for (const SyntaxNode& child : node.named()) collectNames(child, out);
  }

  static void collectAssigned(const SyntaxNode& stmt, std::set<std::string>& out) {
    if (!stmt.is("expression_statement")) return;
    for (const SyntaxNode& e : stmt.named()) {
      SyntaxNode current = e;
      while (current.is("assignment") || current.is("augmented_assignment")) {
        const SyntaxNode left = current.field("left");
        if (left.is("identifier")) out.emplace(left.text());
        current = current.field("right");
      }
    }
  }

  // The statements' source lines, with their common indentation removed and
  // the file's `F` alias spelled out for TorchScript.
  std::string dedented(const std::vector<SyntaxNode>& statements) const {
    if (!file_) return "";
    std::vector<std::string> lines;
    size_t indent = std::string::npos;
    for (size_t n = statements.front().line(); n <= statements.back().endLine(); ++n) {
      const std::string& line = file_->line(n);
      lines.push_back(line);
      const size_t first = line.find_first_not_of(" \t");
      if (first != std::string::npos && line[first] != '#') indent = std::min(indent, first);
    }
    std::string text;
    for (const auto& line : lines) {
      std::string stripped = line.size() > indent ? line.substr(indent) : "";
      for (size_t at = 0; (at = stripped.find("F.", at)) != std::string::npos;) {
        const bool word = at == 0 || !(std::isalnum(static_cast<unsigned char>(stripped[at - 1])) ||
                                       stripped[at - 1] == '_' || stripped[at - 1] == '.');
        if (word) {
          stripped.replace(at, 2, "torch.nn.functional.");
          at += 20;
        } else {
          at += 2;
        }
      }
      text += stripped + "\n";
    }
    if (!text.empty()) text.pop_back();
    return text;
  }

  static bool sameCode(const std::vector<SyntaxNode>& a, const std::vector<SyntaxNode>& b) {
    auto normalized = [](const std::vector<SyntaxNode>& statements) {
      std::string out;
      for (const SyntaxNode& stmt : statements) {
        for (const char c : stmt.text()) {
          if (!std::isspace(static_cast<unsigned char>(c))) out += c;
        }
        out += ';';
      }
      return out;
    };
    return normalized(a) == normalized(b);
  }

  // `if x.dim() != 4: raise ValueError(...)`: the body only rejects inputs.
  static bool onlyRaises(const SyntaxNode& body) {
    bool raises = false;
    for (const SyntaxNode& stmt : body.named()) {
      if (stmt.is("raise_statement")) {
        raises = true;
      } else if (!stmt.is("pass_statement") && !stmt.is("expression_statement")) {
        return false;
      } else if (stmt.is("expression_statement")) {
        for (const SyntaxNode& e : stmt.named()) {
          if (!e.is("call") && !e.is("string")) return false;  // a warning or a docstring
        }
      }
    }
    return raises;
  }

  // A frozen input check: valid inputs behave as in eager, invalid ones are
  // no longer rejected. A note, not a loss.
  void inputCheck(const SyntaxNode& where, Flags cond) {
    if (!(cond & (kDataFlags | kShapeFlags | kRank | kDtype | kDevice | kRandom))) return;
    const char* on = (cond & kDataFlags) ? "tensor data" : (cond & (kShapeFlags | kRank)) ? "a tensor's shape"
                     : (cond & kDtype) ? "a tensor's dtype" : "a tensor's device";
    const CheckId check = (cond & kDataFlags)    ? CheckId::kTraceDataDependentBranch
                              : (cond & (kShapeFlags | kRank)) ? CheckId::kTraceShapeDependentBranch
                              : (cond & kDtype)      ? CheckId::kTraceDtypeDependent
                                                     : CheckId::kTraceBakedDevice;
    report(check, where,
           fmt::format("`if` on {} only guards a `raise`: the trace drops this input check", on),
           {"inputs the check accepts run as in eager; inputs it rejects are no longer "
            "rejected by the traced model"});
    owner_.out_.back().severity = Severity::kNote;
  }

  void statement(const SyntaxNode& stmt) {
    const std::string_view type = stmt.type();
    if (type == "expression_statement") {
      for (const SyntaxNode& e : stmt.named()) {
        if (e.is("assignment")) {
          assignment(e);
        } else if (e.is("augmented_assignment")) {
          augmentedAssignment(e);
        } else {
          expr(e);
        }
      }
    } else if (type == "if_statement") {
      ifChain(stmt, stmt.field("condition"), stmt.field("consequence"), stmt.fields("alternative"), 0);
    } else if (type == "while_statement") {
      const SyntaxNode condition = stmt.field("condition");
      const auto truth = staticTruth(condition);
      const Flags cond = expr(condition);
      block(stmt.field("body"));
      const Flags again = expr(condition);  // the body may change what it tests
      const Flags flags = truth ? 0 : (cond | again);
      const Side body = sideOf(stmt.field("body"));
      if (flags & kRandom) {
        report(CheckId::kTraceRandomOp, stmt, "`while` on a random draw ran a fixed number of times");
      } else if (flags & kDataFlags) {
        report(CheckId::kTraceDataDependentLoop, stmt,
               "`while` on tensor data was unrolled to the iterations the example needed",
               {recordedNote(body, "the loop body"),
                "script this loop (torch.jit.script) so it stays a prim::Loop"});
      } else if (flags & kShapeFlags) {
        report(CheckId::kTraceShapeDependentLoop, stmt,
               "`while` on a tensor's shape was unrolled for the example's shape");
      }
      if (SyntaxNode alternative = stmt.field("alternative")) block(alternative.field("body"));
    } else if (type == "for_statement") {
      const Flags iter = iteration(stmt, stmt.field("right"), "`for` loop");
      bind(stmt.field("left"), elementFlags(iter));
      block(stmt.field("body"));
      if (SyntaxNode alternative = stmt.field("alternative")) block(alternative.field("body"));
    } else if (type == "return_statement") {
      const auto values = stmt.named();
      if (values.empty()) return;
      const Flags flags = expr(values[0]);
      returned_ |= flags;
      if (returns_model_output_) checkOutput(values[0], flags, stmt);
    } else if (type == "with_statement") {
      for (const SyntaxNode& part : stmt.named()) {
        if (part.is("with_clause")) {
          for (const SyntaxNode& item : part.named()) expr(item.field("value"));
        }
      }
      block(stmt.field("body"));
    } else if (type == "try_statement") {
      block(stmt.field("body"));
      for (const SyntaxNode& part : stmt.named()) {
        if (part.is("except_clause") || part.is("except_group_clause") || part.is("finally_clause")) {
          for (const SyntaxNode& b : part.named()) {
            if (b.is("block")) block(b);
          }
        } else if (part.is("else_clause")) {
          block(part.field("body"));
        }
      }
    } else if (type == "match_statement") {
      expr(stmt.field("subject"));
      for (const SyntaxNode& body : stmt.fields("body")) {
        for (const SyntaxNode& clause : body.named()) {
          if (clause.is("case_clause")) block(clause.field("consequence"));
        }
      }
    } else if (type == "block") {
      block(stmt);
    } else if (type == "global_statement" || type == "nonlocal_statement") {
      for (const SyntaxNode& name : stmt.named()) globals_.insert(std::string(name.text()));
    }
    // Left alone: assert (input checks, not behaviour), raise, pass,
    // break, continue, del, global, nonlocal, imports, nested def/class.
  }

  // The traced model's output: a list whose length came from the example,
  // or a NamedTuple, does not survive as such.
  void checkOutput(const SyntaxNode& value, Flags flags, const SyntaxNode& stmt) {
    if (flags & kListFromTensor) {
      report(CheckId::kTraceContainerOutput, stmt,
             "the model returns a list whose length comes from the example input; the trace "
             "returns exactly that many elements",
             {"return a stacked tensor, or a fixed-size tuple"});
      return;
    }
    if (value.is("call")) {
      const SyntaxNode callee = value.field("function");
      const std::string name = callee.is("identifier") ? std::string(callee.text()) : "";
      if (!name.empty() && file_ && file_->classDerivesFrom(name, "NamedTuple")) {
        report(CheckId::kTraceContainerOutput, stmt,
               fmt::format("the model returns the NamedTuple `{}`; the trace returns a plain "
                           "tuple, losing its type and field names",
                           name),
               {"script the model to keep the NamedTuple, or return a dict"});
      }
    }
  }

  std::optional<Flags> followMethod(const std::string& name, const Arguments& args) {
    if (function_.class_name.empty() || !file_) return std::nullopt;
    auto callee = file_->findMethod(function_.class_name, name);
    if (!callee) return std::nullopt;
    return owner_.follow(*callee, self_, SourceAnalyzer::CallArguments{args.positional, args.keywords});
  }

  std::optional<Flags> followFunction(const std::string& name, const Arguments& args) {
    if (!file_) return std::nullopt;
    auto callee = file_->findFunction(name);
    if (!callee) return std::nullopt;
    if (callee->isScripted()) {
      return (args.all & kValueFlags) ? Flags{kTensor} : Flags{0};  // keeps its control flow
    }
    return owner_.follow(*callee, ModuleFacts{}, SourceAnalyzer::CallArguments{args.positional, args.keywords});
  }

  SourceAnalyzer& owner_;
  const PythonFunction& function_;
  const ModuleFacts& self_;
  bool returns_model_output_;
  const std::vector<ArgumentKind>* parameters_;
  const SourceAnalyzer::CallArguments* call_;
  std::shared_ptr<const PythonSourceFile> file_;
  std::map<std::string, Flags> env_;
  std::set<std::string> known_none_;  ///< parameters still at their None default
  std::set<std::string> globals_;     ///< names declared global/nonlocal
  Flags returned_ = 0;
  int suppress_loops_ = 0;
  int quiet_numbers_ = 0;
  int depth_ = 0;
};

SourceAnalyzer::SourceAnalyzer(SourceLocator& locator, const TraceLines& trace,
                               std::vector<Finding>& out, TracerFacts tracer)
    : locator_(locator), trace_(trace), tracer_(tracer), out_(out) {}

namespace {

// One analysis per function and module instance: its results (findings,
// what it returns) depend on both.
std::string analysisKey(const PythonFunction& function, const ModuleFacts& self) {
  return fmt::format("{}:{}/{}", function.file, function.def_line, self.path);
}

}  // namespace

void SourceAnalyzer::analyze(const PythonFunction& function, const ModuleFacts& self,
                             bool returns_model_output, const std::vector<ArgumentKind>* parameters) {
  if (function.isScripted()) return;  // TorchScript keeps its control flow
  const std::string key = analysisKey(function, self);
  if (!analyzed_.insert(key).second) return;
  returns_[key] = analyzeReporting(function, self, returns_model_output, parameters, nullptr);
}

unsigned SourceAnalyzer::analyzeReporting(const PythonFunction& function, const ModuleFacts& self,
                                          bool returns_model_output,
                                          const std::vector<ArgumentKind>* parameters,
                                          const CallArguments* arguments) {
  auto unreadable = [&](std::string message) {
    Finding finding(CheckId::kAuditSourceUnavailable, std::move(message));
    finding.location = SourceLocation{function.file, function.def_line, function.indent + 1};
    finding.module_path = self.path;
    out_.push_back(std::move(finding));
  };
  const size_t first_new = out_.size();
  unsigned returned = kTensor;
  try {
    returned = FunctionAnalysis(*this, function, self, returns_model_output, parameters, arguments).run();
  } catch (const std::exception& e) {
    out_.erase(out_.begin() + static_cast<std::ptrdiff_t>(first_new), out_.end());
    unreadable(fmt::format("could not analyze `{}`: {}", function.name, firstLine(e.what())));
    return kTensor;
  }
  // tree-sitter reads around text it cannot parse; what it could not read
  // was not checked, so the verdict must not rest on it.
  if (function.has_syntax_error) {
    unreadable(fmt::format("`{}` has text the Python parser could not read; the rest of it was "
                           "checked",
                           function.name));
  }
  return returned;
}

unsigned SourceAnalyzer::follow(const PythonFunction& function, const ModuleFacts& self,
                                const CallArguments& arguments) {
  constexpr int kMaxFollowDepth = 32;
  const std::string key = analysisKey(function, self);
  if (auto it = returns_.find(key); it != returns_.end()) return it->second;
  if (!analyzed_.insert(key).second || depth_ >= kMaxFollowDepth) return kTensor;  // recursion
  ++depth_;
  const unsigned returned = analyzeReporting(function, self, false, nullptr, &arguments);
  --depth_;
  returns_[key] = returned;
  return returned;
}

}  // namespace jitscope
