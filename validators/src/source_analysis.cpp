#include "source_analysis.h"

#include <torch/csrc/jit/frontend/parser.h>
#include <torch/csrc/jit/frontend/tree_views.h>

#include <fmt/format.h>

#include <map>

#include "jitscope/core/errors.h"
#include "trace_lines.h"

namespace jitscope {

using torch::jit::TreeRef;

// Note [Value flags]
// The analysis runs a small abstract interpretation over one function: each
// Python value gets a set of flags saying what it was computed from. A
// condition or trip count is then judged by its flags: a tensor's data
// (kTensor, or kNumber once taken out with .item()/int()/...), its shape
// (kShape while it is a traced size, kShapeNumber once baked into a Python
// int by len() or int()), self.training, or a random draw. Values with no
// flag are static Python: attributes set in __init__, constants, loop
// indexes over static ranges. Tracing keeps exactly the static ones.
enum Flag : unsigned {
  kTensor = 1u << 0,
  kNumber = 1u << 1,
  kShape = 1u << 2,
  kShapeNumber = 1u << 3,
  kTraining = 1u << 4,
  kRandom = 1u << 5,
  kModule = 1u << 6,
  kSelf = 1u << 7,
  kTorch = 1u << 8,   ///< the torch / torch.nn.functional / numpy namespaces
  kListFromTensor = 1u << 9,  ///< a list whose length comes from tensor data or shape
};
using Flags = unsigned;

namespace {

constexpr Flags kDataFlags = kTensor | kNumber;
constexpr Flags kShapeFlags = kShape | kShapeNumber;
// What a value carries into ops built from it: module and namespace
// markers describe the callee, not the data.
constexpr Flags kValueFlags = kTensor | kNumber | kShape | kShapeNumber | kTraining | kRandom;

bool isRandomFunction(const std::string& name) {
  static const std::set<std::string> names = {
      "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like",
      "bernoulli", "multinomial", "normal", "poisson", "random", "uniform", "choice",
      "shuffle", "exponential_", "uniform_", "normal_", "bernoulli_"};
  return names.count(name) > 0;
}

bool isSplitFunction(const std::string& name) {
  return name == "split" || name == "chunk" || name == "unbind" || name == "tensor_split" ||
         name == "split_with_sizes" || name == "unsqueeze_copy";
}

// Orders findings that land on the same line: the most specific explanation
// wins (a baked tensor built by a comprehension is a constant-tensor
// finding, not a loop; `range(int(n))` is a loop, not a Python number).
int priority(const std::string& check) {
  static const std::vector<std::string> order = {
      "trace-constant-tensor",        "trace-random-op",
      "trace-tensor-iteration",       "trace-data-dependent-loop",
      "trace-shape-dependent-loop",   "trace-data-dependent-branch",
      "trace-shape-dependent-branch", "trace-training-branch",
      "trace-container-output",       "trace-python-state",
      "trace-inplace-update",         "trace-python-number"};
  for (size_t i = 0; i < order.size(); ++i) {
    if (order[i] == check) return static_cast<int>(i);
  }
  return static_cast<int>(order.size());
}

}  // namespace

// Analysis of one function body. Owned by SourceAnalyzer::analyze.
class FunctionAnalysis {
 public:
  FunctionAnalysis(SourceAnalyzer& owner, const PythonFunction& function,
                   const ModuleFacts& self, bool returns_model_output,
                   const std::vector<unsigned>* arguments)
      : owner_(owner), function_(function), self_(self),
        returns_model_output_(returns_model_output), arguments_(arguments) {}

  void run() {
    auto source = std::make_shared<torch::jit::Source>(function_.text, function_.file,
                                                       function_.def_line);
    torch::jit::Parser parser(source);
    const torch::jit::Def def(parser.parseFunction(/*is_method=*/!function_.class_name.empty()));
    size_t position = 0;
    for (const auto& param : def.decl().params()) {
      const std::string name = param.ident().name();
      if (name == "self") {
        env_[name] = kSelf;
        continue;
      }
      const size_t index = position++;
      if (arguments_ && index < arguments_->size()) {
        // What the caller passed: a list of sizes is not a tensor.
        env_[name] = (*arguments_)[index] & (kValueFlags | kListFromTensor | kModule);
      } else if (param.type().present() && isStaticAnnotation(param.type().get())) {
        env_[name] = 0;
      } else if (param.defaultValue().present() && !param.type().present() &&
                 param.defaultValue().get().kind() != torch::jit::TK_NONE) {
        env_[name] = 0;  // a Python default (n=3, scale=1.0): configuration
      } else {
        env_[name] = kTensor;
      }
    }
    statements(def.statements());
  }

 private:
  // ----- locations -------------------------------------------------------
  size_t lineAt(const torch::jit::SourceRange& range, size_t offset) const {
    const auto& source = range.source();
    return source->lineno_to_source_lineno(source->lineno_for_offset(offset));
  }
  size_t firstLine(const TreeRef& tree) const { return lineAt(tree->range(), tree->range().start()); }
  size_t lastLine(const TreeRef& tree) const {
    const auto& range = tree->range();
    return lineAt(range, range.end() > range.start() ? range.end() - 1 : range.start());
  }
  SourceLocation locationOf(const TreeRef& tree) const {
    const auto& range = tree->range();
    const auto& source = range.source();
    const size_t line_index = source->lineno_for_offset(range.start());
    const size_t column = range.start() - source->offset_for_line(line_index);
    return SourceLocation{function_.file, lineAt(range, range.start()),
                          column + function_.indent + 1};
  }
  std::string functionName() const {
    return function_.class_name.empty() ? function_.name
                                        : function_.class_name + "." + function_.name;
  }

  void report(const std::string& check, const TreeRef& where, std::string message,
              std::vector<std::string> notes = {}) {
    Finding finding;
    finding.check = check;
    finding.severity = findCheck(check)->severity;
    finding.message = std::move(message);
    finding.location = locationOf(where);
    finding.function = functionName();
    finding.module_path = self_.path;
    finding.notes = std::move(notes);
    owner_.out_.push_back(std::move(finding));
  }

  // Notes on what the trace holds for lines [first, last].
  std::string recordedNote(size_t first, size_t last, const std::string& what) const {
    const size_t count = owner_.trace_.countIn(function_.file, first, last);
    const std::string lines = first == last ? fmt::format("line {}", first)
                                            : fmt::format("lines {}-{}", first, last);
    if (count == 0) return fmt::format("{} ({}) left no op in the traced graph", what, lines);
    const TracedOp* op = owner_.trace_.firstIn(function_.file, first, last);
    return fmt::format("{} ({}) left {} op{} in the traced graph{}", what, lines, count,
                       count == 1 ? "" : "s", op ? ", e.g. " + op->text : "");
  }

  // ----- expressions -----------------------------------------------------
  static bool isStaticAnnotation(const torch::jit::Expr& type) {
    if (type.kind() != torch::jit::TK_VAR) return false;
    const std::string name = torch::jit::Var(type).name().name();
    return name == "int" || name == "float" || name == "bool" || name == "str";
  }

  static std::string identName(const TreeRef& tree) {
    return tree->kind() == torch::jit::TK_VAR ? torch::jit::Var(tree).name().name() : "";
  }

  // Flags of `self.<name>`.
  Flags selfAttribute(const std::string& name) const {
    if (name == "training") return kTraining;
    if (self_.tensors.count(name)) return kTensor;
    if (self_.submodules.count(name)) return kModule;
    return 0;  // a Python attribute: configuration as far as tracing is concerned
  }

  Flags children(const TreeRef& tree) {
    Flags flags = 0;
    for (const auto& child : tree->trees()) flags |= expr(child);
    return flags & kValueFlags;
  }

  Flags expr(const TreeRef& tree) {
    using namespace torch::jit;
    switch (tree->kind()) {
      case TK_CONST:
      case TK_STRINGLITERAL:
      case TK_TRUE:
      case TK_FALSE:
      case TK_NONE:
      case TK_DOTS:
        return 0;
      case TK_VAR: {
        const std::string name = Var(tree).name().name();
        const auto it = env_.find(name);
        if (it != env_.end()) return it->second;
        if (name == "torch" || name == "F" || name == "np" || name == "numpy" ||
            name == "nn" || name == "random" || name == "math") {
          return kTorch;
        }
        return 0;  // globals and builtins
      }
      case '.': {
        const Select select(tree);
        const Flags base = expr(select.value());
        const std::string name = select.selector().name();
        if (base & kSelf) return selfAttribute(name);
        if (base & kTorch) return kTorch;  // torch.nn.functional, np.random...
        if (base & kModule) return kModule;
        if (base & kTensor) {
          if (name == "shape") return kShape;
          if (name == "ndim") return kShape;
          if (name == "dtype" || name == "device" || name == "is_cuda" || name == "requires_grad") {
            return 0;
          }
        }
        return base & kValueFlags;
      }
      case TK_SUBSCRIPT: {
        const Subscript subscript(tree);
        const Flags base = expr(subscript.value());
        Flags index = 0;
        for (const auto& e : subscript.subscript_exprs()) index |= expr(e);
        if (base & kModule) return kModule;  // self.layers[i]
        return (base & kValueFlags) | (index & kDataFlags);
      }
      case TK_APPLY:
        return apply(tree);
      case TK_IF_EXPR: {
        const TernaryIf ternary(tree);
        const Flags cond = expr(ternary.cond());
        controlFlow(tree, cond, "conditional expression", ternary.true_expr().tree(),
                    ternary.false_expr().tree());
        return (expr(ternary.true_expr()) | expr(ternary.false_expr())) & kValueFlags;
      }
      case TK_LIST_COMP: {
        const ListComp comp(tree);
        const Flags iter = iteration(tree, comp.iter(), "list comprehension");
        bind(comp.target(), iter);
        Flags out = expr(comp.elt());
        if (iter & (kDataFlags | kShapeFlags)) out |= kListFromTensor;
        return out & (kValueFlags | kListFromTensor);
      }
      case TK_DICT_COMP: {
        const DictComp comp(tree);
        const Flags iter = iteration(tree, comp.iter(), "dict comprehension");
        bind(comp.target(), iter);
        return (expr(comp.key()) | expr(comp.value())) & kValueFlags;
      }
      case TK_LIST_LITERAL:
      case TK_TUPLE_LITERAL:
      case TK_DICT_LITERAL: {
        Flags flags = 0;
        for (const auto& child : tree->trees()) flags |= expr(child);
        return flags & (kValueFlags | kListFromTensor);
      }
      default:
        return children(tree);  // operators, comparisons, slices, starred
    }
  }

  Flags apply(const TreeRef& tree) {
    using namespace torch::jit;
    const Apply call(tree);
    const TreeRef callee = call.callee().tree();
    // Numbers taken out only to be printed or logged bake nothing in.
    const bool logging = callee->kind() == TK_VAR &&
                         (identName(callee) == "print" || identName(callee) == "warn");
    if (logging) ++quiet_numbers_;
    Flags args = 0;
    std::vector<Flags> arg_flags;
    for (const auto& input : call.inputs()) {
      arg_flags.push_back(expr(input));
      args |= arg_flags.back();
    }
    for (const auto& attribute : call.attributes()) args |= expr(attribute.value());
    const Flags data_args = args & kValueFlags;
    if (logging) {
      --quiet_numbers_;
      return 0;
    }

    if (callee->kind() == TK_VAR) {
      const std::string name = identName(callee);
      if (name == "int" || name == "float" || name == "bool") {
        if (args & kTensor) {
          pythonNumber(tree, fmt::format("{}() of a tensor", name));
          return kNumber | (args & kRandom);
        }
        if (args & kNumber) return kNumber | (args & kRandom);  // already out of the graph
        if (args & kShape) {
          // A traced size stays symbolic only while it feeds tensor ops;
          // int() of it is a plain Python number.
          pythonNumber(tree, fmt::format("{}() of a tensor size", name));
          return kShapeNumber;
        }
        if (args & kShapeNumber) return kShapeNumber;
        return args & kValueFlags;
      }
      if (name == "len") {
        if (args & kTensor) {
          pythonNumber(tree, "len() of a tensor");
          return kShapeNumber;
        }
        return (args & kListFromTensor) ? kShapeNumber : (args & kShapeFlags);
      }
      if (name == "range" || name == "zip" || name == "enumerate" || name == "reversed" ||
          name == "list" || name == "tuple" || name == "sorted" || name == "max" ||
          name == "min" || name == "sum" || name == "abs" || name == "round") {
        return args & (kValueFlags | kListFromTensor);
      }
      if (name == "isinstance" || name == "hasattr" || name == "getattr" ||
          name == "super" || name == "type" || name == "str") {
        return 0;
      }
      followFunction(name, arg_flags);
      return data_args ? (kTensor | (data_args & kRandom)) : 0;
    }

    if (callee->kind() != '.') return data_args | (data_args ? kTensor : 0);
    const Select select(callee);
    const std::string method = select.selector().name();
    const Flags receiver = expr(select.value());

    if (receiver & kSelf) {  // self.method(...) or self.submodule(...)
      if (self_.submodules.count(method)) return kTensor;
      followMethod(method, arg_flags);
      return kTensor | (data_args & kRandom);
    }
    if (receiver & kModule) return kTensor;  // self.layers[i](x), self.block.sub(x)
    if (receiver & kTorch) {
      if (isRandomFunction(method)) return kTensor | kRandom;
      if (method == "is_tracing" || method == "is_scripting") return 0;
      if (method == "tensor" || method == "as_tensor" || method == "from_numpy" ||
          method == "Tensor" || method == "LongTensor" || method == "FloatTensor") {
        return constructedTensor(tree, call);
      }
      if (isSplitFunction(method)) return kTensor | kListFromTensor;
      return kTensor | (data_args & kRandom);
    }
    if (receiver & (kTensor | kNumber)) {
      if (method == "item" || method == "tolist" || method == "numpy") {
        if (receiver & kTensor) pythonNumber(tree, fmt::format(".{}()", method));
        return kNumber | (receiver & kRandom);
      }
      if (method == "size" || method == "dim" || method == "numel" || method == "nelement") {
        return kShape;
      }
      if (isSplitFunction(method)) return kTensor | kListFromTensor;
      if (isRandomFunction(method)) return kTensor | kRandom;
      if (method.size() > 1 && method.back() == '_' && isDataAccess(select.value())) {
        report("trace-inplace-update", tree,
               fmt::format("in-place `.{}` through `.data` is invisible to the tracer: the "
                           "traced model never performs this update",
                           method),
               {"write to the tensor itself (without .data) so the tracer records the op"});
      }
      return (receiver | data_args) & kValueFlags;
    }
    return (receiver | data_args) & kValueFlags;
  }

  static bool isDataAccess(const torch::jit::Expr& value) {
    return value.kind() == '.' && torch::jit::Select(value).selector().name() == "data";
  }

  Flags constructedTensor(const TreeRef& tree, const torch::jit::Apply& call) {
    using namespace torch::jit;
    if (call.inputs().size() == 0) return kTensor;
    const Expr data = call.inputs()[0];
    // A bare size (torch.tensor(x.shape[-1])) is traced through
    // prim::NumToTensor; a Python list or comprehension is not.
    const bool container = data.kind() == TK_LIST_LITERAL || data.kind() == TK_TUPLE_LITERAL ||
                           data.kind() == TK_LIST_COMP;
    suppress_loops_ += 1;
    const Flags flags = expr(data);
    suppress_loops_ -= 1;
    if ((container && (flags & (kShapeFlags | kDataFlags))) || (flags & (kNumber | kShapeNumber))) {
      report("trace-constant-tensor", tree,
             "tensor built from Python values in forward is baked into the trace as a "
             "constant",
             {"its values came from the example's shape or data; other inputs get the same "
              "constant",
              "build it with tensor ops (torch.stack, torch.arange(x.size(1)), x.new_tensor) "
              "so the tracer records how it is computed"});
    }
    return kTensor;
  }

  void pythonNumber(const TreeRef& tree, const std::string& how) {
    if (quiet_numbers_ > 0) return;
    report("trace-python-number", tree,
           fmt::format("{} turns a tensor value into a Python number, which the trace "
                       "records as a constant",
                       how),
           {"keep the value a tensor (e.g. x.max() instead of x.max().item()), or script "
            "this function"});
  }

  // Flags of what a for/comprehension iterates over, reporting unrolling.
  Flags iteration(const TreeRef& where, const torch::jit::Expr& iter, const std::string& what) {
    using namespace torch::jit;
    bool over_range = false;
    if (iter.kind() == TK_APPLY && identName(Apply(iter).callee().tree()) == "range") {
      over_range = true;
    }
    const Flags flags = expr(iter);
    if (suppress_loops_ > 0) return flags;
    if (flags & kRandom) {
      report("trace-random-op", where,
             fmt::format("{} trip count comes from a random draw made once at trace time", what));
    } else if (!over_range && (flags & (kTensor | kListFromTensor)) && !(flags & kModule)) {
      report("trace-tensor-iteration", where,
             fmt::format("{} over a tensor was unrolled to the example's length", what),
             {"the traced model handles exactly as many elements as the example had"});
    } else if (flags & kDataFlags) {
      report("trace-data-dependent-loop", where,
             fmt::format("{} whose trip count depends on tensor data was unrolled for the "
                         "example",
                         what),
             {"script this loop (torch.jit.script) so it stays a prim::Loop"});
    } else if (flags & kShapeFlags) {
      report("trace-shape-dependent-loop", where,
             fmt::format("{} over a tensor's size was unrolled to the example's size", what),
             {"other sizes run the wrong number of iterations; script this loop or use "
              "vectorized ops"});
    }
    return flags;
  }

  // What the trace kept of each side of a branch: when exactly one side left
  // ops, that is the side the example took.
  std::vector<std::string> branchNotes(const TreeRef& if_true, const TreeRef& if_false) const {
    auto lines = [this](const TreeRef& side) {
      const size_t first = firstLine(side), last = lastLine(side);
      return first == last ? fmt::format("line {}", first) : fmt::format("lines {}-{}", first, last);
    };
    auto count = [this](const TreeRef& side) {
      return side ? owner_.trace_.countIn(function_.file, firstLine(side), lastLine(side)) : 0;
    };
    const size_t t = count(if_true);
    const size_t f = count(if_false);
    const bool single_line = if_true && if_false && firstLine(if_true) == firstLine(if_false);
    std::vector<std::string> notes;
    if (!single_line && (t > 0) != (f > 0)) {
      const TreeRef& taken = t > 0 ? if_true : if_false;
      const TreeRef& dropped = t > 0 ? if_false : if_true;
      notes.push_back(recordedNote(firstLine(taken), lastLine(taken),
                                   fmt::format("the trace took the {} branch", t > 0 ? "true" : "false")));
      notes.push_back(dropped ? fmt::format("the {} branch ({}) never made it into the graph",
                                            t > 0 ? "false" : "true", lines(dropped))
                              : "the `if` has no else branch: the trace either always or never runs its body");
      return notes;
    }
    if (if_true) notes.push_back(recordedNote(firstLine(if_true), lastLine(if_true), "the true branch"));
    if (if_false) {
      notes.push_back(recordedNote(firstLine(if_false), lastLine(if_false), "the false branch"));
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
  void controlFlow(const TreeRef& where, Flags cond, const std::string& what,
                   const TreeRef& taken_if_true, const TreeRef& taken_if_false) {
    std::string check;
    std::string message;
    if (cond & kRandom) {
      check = "trace-random-op";
      message = fmt::format("{} on a random draw was decided once at trace time", what);
    } else if (cond & kDataFlags) {
      check = "trace-data-dependent-branch";
      message = fmt::format("{} on tensor data was frozen to the branch the example took", what);
    } else if (cond & kShapeFlags) {
      check = "trace-shape-dependent-branch";
      message = fmt::format("{} on a tensor's shape was frozen for the example's shape", what);
    } else if (cond & kTraining) {
      check = "trace-training-branch";
      message = fmt::format("{} on self.training was fixed to the mode the model was traced in",
                            what);
    } else {
      return;
    }
    std::vector<std::string> notes = branchNotes(taken_if_true, taken_if_false);
    notes.push_back(check == "trace-training-branch"
                        ? "the traced model keeps the mode it was traced in, whatever .train()/.eval() "
                          "say later; trace in the mode you deploy, or script this branch"
                        : "script this function (torch.jit.script), or use torch.where");
    report(check, where, message, std::move(notes));
  }

  // ----- statements ------------------------------------------------------
  void bind(const torch::jit::Expr& target, Flags flags) {
    using namespace torch::jit;
    if (target.kind() == TK_VAR) {
      env_[Var(target).name().name()] = flags & (kValueFlags | kListFromTensor | kModule);
    } else if (target.kind() == TK_TUPLE_LITERAL || target.kind() == TK_LIST_LITERAL) {
      for (const auto& sub : target.tree()->trees()) {
        for (const auto& element : sub->trees()) bind(Expr(element), flags);
      }
    } else if (target.kind() == TK_STARRED) {
      bind(Starred(target).expr(), flags);
    }
  }

  // `self.x = ...`, `self.x += ...`, `self.cache[k] = ...` in forward.
  void checkStateWrite(const torch::jit::Expr& target, const TreeRef& stmt) {
    using namespace torch::jit;
    Expr base = target;
    while (base.kind() == TK_SUBSCRIPT) base = Subscript(base).value();
    if (base.kind() == '.') {
      const Select select(base);
      if (select.selector().name() == "data") {
        report("trace-inplace-update", stmt,
               "assignment through `.data` is invisible to the tracer");
        return;
      }
      if (identName(select.value().tree()) == "self") {
        const std::string name = select.selector().name();
        if (self_.tensors.count(name) == 0 && self_.submodules.count(name) == 0) {
          report("trace-python-state", stmt,
                 fmt::format("forward writes the Python attribute `self.{}`: the trace bakes in "
                             "the value it had while tracing and never updates it",
                             name),
                 {"keep state in a registered buffer updated with tensor ops, or out of "
                  "forward"});
        }
      }
    }
  }

  void statements(const torch::jit::List<torch::jit::Stmt>& body) {
    for (const auto& stmt : body) statement(stmt);
  }

  void statement(const torch::jit::Stmt& stmt) {
    using namespace torch::jit;
    const TreeRef tree = stmt.tree();
    switch (stmt.kind()) {
      case TK_IF: {
        const If branch(tree);
        const Flags cond = expr(branch.cond());
        const auto& t = branch.trueBranch();
        const auto& f = branch.falseBranch();
        controlFlow(tree, cond, "`if`", t.size() ? t.tree() : TreeRef(),
                    f.size() ? f.tree() : TreeRef());
        const auto before = env_;
        statements(t);
        auto after_true = env_;
        env_ = before;
        statements(f);
        for (const auto& [name, flags] : after_true) env_[name] |= flags;
        break;
      }
      case TK_WHILE: {
        const While loop(tree);
        const Flags cond = expr(loop.cond());
        statements(loop.body());
        const Flags again = expr(loop.cond());  // the body may change what it tests
        const Flags flags = cond | again;
        if (flags & kRandom) {
          report("trace-random-op", tree, "`while` on a random draw ran a fixed number of times");
        } else if (flags & kDataFlags) {
          report("trace-data-dependent-loop", tree,
                 "`while` on tensor data was unrolled to the iterations the example needed",
                 {recordedNote(firstLine(loop.body().tree()), lastLine(loop.body().tree()),
                               "the loop body"),
                  "script this loop (torch.jit.script) so it stays a prim::Loop"});
        } else if (flags & kShapeFlags) {
          report("trace-shape-dependent-loop", tree,
                 "`while` on a tensor's shape was unrolled for the example's shape");
        }
        break;
      }
      case TK_FOR: {
        const For loop(tree);
        Flags iter = 0;
        for (const auto& it : loop.itrs()) iter |= iteration(tree, it, "`for` loop");
        for (const auto& target : loop.targets()) {
          bind(target, (iter & (kTensor | kListFromTensor)) ? kTensor : iter);
        }
        statements(loop.body());
        break;
      }
      case TK_ASSIGN: {
        const Assign assign(tree);
        const Flags flags = assign.rhs().present() ? expr(assign.rhs().get()) : 0;
        for (const auto& target : assign.lhs_list()) {
          checkStateWrite(target, tree);
          if (target.kind() == TK_SUBSCRIPT || target.kind() == '.') {
            expr(target);
          } else {
            bind(target, flags);
          }
        }
        break;
      }
      case TK_AUG_ASSIGN: {
        const AugAssign assign(tree);
        const Flags flags = expr(assign.rhs());
        checkStateWrite(assign.lhs(), tree);
        if (assign.lhs().kind() == TK_VAR) {
          env_[Var(assign.lhs()).name().name()] |= flags & kValueFlags;
        }
        break;
      }
      case TK_RETURN: {
        const Return ret(tree);
        const Flags flags = expr(ret.expr());
        if (returns_model_output_) checkOutput(ret.expr(), flags, tree);
        break;
      }
      case TK_EXPR_STMT:
        expr(ExprStmt(tree).expr());
        break;
      case TK_WITH: {
        const With with(tree);
        statements(with.body());
        break;
      }
      default:
        for (const auto& child : tree->trees()) {
          if (child->kind() == TK_LIST) {
            for (const auto& s : child->trees()) {
              if (s->kind() != TK_OPTION) statement(Stmt(s));
            }
          }
        }
        break;
    }
  }

  // The traced model's output: a list whose length came from the example,
  // or a NamedTuple, does not survive as such.
  void checkOutput(const torch::jit::Expr& value, Flags flags, const TreeRef& stmt) {
    using namespace torch::jit;
    if (flags & kListFromTensor) {
      report("trace-container-output", stmt,
             "the model returns a list whose length comes from the example input; the trace "
             "returns exactly that many elements",
             {"return a stacked tensor, or a fixed-size tuple"});
      return;
    }
    if (value.kind() == TK_APPLY) {
      const std::string name = identName(Apply(value).callee().tree());
      auto file = owner_.locator_.fileForRecordedPath(function_.file);
      if (!name.empty() && file && file->classDerivesFrom(name, "NamedTuple")) {
        report("trace-container-output", stmt,
               fmt::format("the model returns the NamedTuple `{}`; the trace returns a plain "
                           "tuple, losing its type and field names",
                           name),
               {"script the model to keep the NamedTuple, or return a dict"});
      }
    }
  }

  void followMethod(const std::string& name, const std::vector<Flags>& arguments) {
    if (function_.class_name.empty()) return;
    auto file = owner_.locator_.fileForRecordedPath(function_.file);
    if (!file) return;
    if (auto callee = file->findMethod(function_.class_name, name)) {
      owner_.analyze(*callee, self_, /*returns_model_output=*/false, &arguments);
    }
  }

  void followFunction(const std::string& name, const std::vector<Flags>& arguments) {
    auto file = owner_.locator_.fileForRecordedPath(function_.file);
    if (!file) return;
    if (auto callee = file->findFunction(name)) {
      if (!callee->isScripted()) owner_.analyze(*callee, ModuleFacts{}, false, &arguments);
    }
  }

  SourceAnalyzer& owner_;
  const PythonFunction& function_;
  const ModuleFacts& self_;
  bool returns_model_output_;
  const std::vector<unsigned>* arguments_;
  std::map<std::string, Flags> env_;
  int suppress_loops_ = 0;
  int quiet_numbers_ = 0;
};

SourceAnalyzer::SourceAnalyzer(SourceLocator& locator, const TraceLines& trace,
                               std::vector<Finding>& out)
    : locator_(locator), trace_(trace), out_(out) {}

void SourceAnalyzer::analyze(const PythonFunction& function, const ModuleFacts& self,
                             bool returns_model_output, const std::vector<unsigned>* arguments) {
  if (function.isScripted()) return;  // TorchScript keeps its control flow
  const std::string key = fmt::format("{}:{}/{}", function.file, function.def_line, self.path);
  if (!analyzed_.insert(key).second) return;
  const size_t first_new = out_.size();
  try {
    FunctionAnalysis(*this, function, self, returns_model_output, arguments).run();
  } catch (const std::exception& e) {
    out_.resize(first_new);
    Finding finding;
    finding.check = "audit-source-unavailable";
    finding.severity = Severity::kNote;
    finding.message = fmt::format("could not analyze `{}`: {}", function.name,
                                  firstLine(e.what()));
    finding.location = SourceLocation{function.file, function.def_line, function.indent + 1};
    finding.module_path = self.path;
    out_.push_back(std::move(finding));
  }
}

// Exposed for trace_audit.cpp: orders same-line findings.
int findingPriority(const std::string& check) { return priority(check); }

}  // namespace jitscope
