#include "jitscope/inspector/requirements.h"

#include <torch/csrc/jit/frontend/lexer.h>
#include <torch/csrc/jit/frontend/parser.h>
#include <torch/csrc/jit/frontend/source_range.h>
#include <torch/csrc/jit/frontend/tree_views.h>

#include <c10/core/ScalarType.h>

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "jitscope/core/errors.h"
#include "jitscope/inspector/code_records.h"

namespace jitscope {

std::string CodeLocation::str() const {
  if (line == 0) return record;
  return fmt::format("{}:{}:{}", record, line, column);
}

std::string OperatorCall::signature() const {
  if (keywords.empty()) return std::to_string(positional);
  return fmt::format("{} + {}", positional, fmt::join(keywords, ", "));
}

std::map<std::string, size_t> ModelRequirements::operatorCounts() const {
  std::map<std::string, size_t> counts;
  for (const auto& call : calls) ++counts[call.op];
  return counts;
}

std::set<std::string> ModelRequirements::namespaces() const {
  std::set<std::string> names;
  for (const auto& call : calls) names.insert(call.op.substr(0, call.op.find("::")));
  return names;
}

std::set<std::string> ModelRequirements::customClassNames() const {
  std::set<std::string> names;
  for (const auto& use : classes) names.insert(use.name);
  return names;
}

namespace {

std::set<std::string> valuesOf(const std::vector<ConstantUse>& uses) {
  std::set<std::string> values;
  for (const auto& use : uses) values.insert(use.value);
  return values;
}

}  // namespace

std::set<std::string> ModelRequirements::deviceNames() const { return valuesOf(devices); }
std::set<std::string> ModelRequirements::dtypeNames() const { return valuesOf(dtypes); }

namespace {

using torch::jit::TreeRef;

constexpr const char* kCustomClassPrefix = "__torch__.torch.classes.";

// Byte offset -> 1-based line and column of one record.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(i + 1);
    }
  }
  CodeLocation locate(const std::string& record, size_t begin, size_t end) const {
    const auto it = std::upper_bound(starts_.begin(), starts_.end(), begin);
    const size_t line = static_cast<size_t>(it - starts_.begin());
    return CodeLocation{record, line, begin - *(it - 1) + 1, begin, end};
  }

 private:
  std::vector<size_t> starts_;
};

// `a.b.c` of a chain of Var and Select nodes; "" for anything else.
std::string dottedName(const TreeRef& tree) {
  if (tree->kind() == torch::jit::TK_VAR) return torch::jit::Var(tree).name().name();
  if (tree->kind() == '.') {
    const torch::jit::Select select(tree);
    const std::string base = dottedName(select.value());
    return base.empty() ? "" : base + "." + select.selector().name();
  }
  return "";
}

// The operator a callee names, as the importer resolves it: `torch.X` is
// aten::X (`torch.autograd.X` too, PythonPrint's spelling of aten::grad and
// aten::backward), `ops.NS.X` is NS::X. Anything else (a method, a
// __torch__ function, a builtin such as int()) is not an operator lookup.
std::optional<std::string> operatorNamed(std::string_view callee) {
  // The name after `prefix`, when it is one more dotted part and no more.
  auto lastPart = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (callee.substr(0, prefix.size()) != prefix) return std::nullopt;
    const std::string_view rest = callee.substr(prefix.size());
    if (rest.empty() || rest.find('.') != std::string_view::npos) return std::nullopt;
    return rest;
  };
  if (const auto name = lastPart("torch.autograd.")) return "aten::" + std::string(*name);
  if (const auto name = lastPart("torch.")) return "aten::" + std::string(*name);
  if (callee.substr(0, 4) == "ops.") {
    const std::string_view rest = callee.substr(4);  // NS.NAME
    const size_t dot = rest.find('.');
    if (dot == 0 || dot == std::string_view::npos || dot + 1 == rest.size() ||
        rest.find('.', dot + 1) != std::string_view::npos) {
      return std::nullopt;
    }
    return std::string(rest.substr(0, dot)) + "::" + std::string(rest.substr(dot + 1));
  }
  return std::nullopt;
}

class RecordReader {
 public:
  RecordReader(const CodeRecord& record, ModelRequirements& out)
      : record_(record), lines_(record.text), out_(out) {}

  void read() {
    auto source = std::make_shared<torch::jit::Source>(std::string(record_.text), record_.name);
    torch::jit::Parser parser(source);
    auto& lexer = parser.lexer();
    // The importer's grammar for a code record (import_source.cpp,
    // parseSourceIfNeeded): an optional `op_version_set = N` line, then
    // `import` lines, classes and functions.
    if (lexer.cur().kind == torch::jit::TK_IDENT && lexer.cur().text() == "op_version_set") {
      lexer.next();
      lexer.expect('=');
      lexer.expect(torch::jit::TK_NUMBER);
      lexer.expect(torch::jit::TK_NEWLINE);
    }
    while (lexer.cur().kind != torch::jit::TK_EOF) {
      while (lexer.nextIf(torch::jit::TK_IMPORT)) {
        while (lexer.cur().kind != torch::jit::TK_NEWLINE && lexer.cur().kind != torch::jit::TK_EOF) lexer.next();
        lexer.expect(torch::jit::TK_NEWLINE);
      }
      switch (lexer.cur().kind) {
        case torch::jit::TK_CLASS_DEF:
          visit(parser.parseClass());
          break;
        case torch::jit::TK_DEF:
          visit(parser.parseFunction(/*is_method=*/false));
          break;
        case torch::jit::TK_EOF:
          break;
        default:
          throw torch::jit::ErrorReport(lexer.cur().range)
              << "Unexpected token in code import: " << torch::jit::kindToString(lexer.cur().kind);
      }
    }
  }

 private:
  CodeLocation where(const TreeRef& tree) const {
    const auto& range = tree->range();
    return lines_.locate(record_.name, range.start(), range.end());
  }

  void visit(const TreeRef& tree) {
    switch (tree->kind()) {
      case torch::jit::TK_APPLY:
        apply(tree);
        break;
      case '.':
      case torch::jit::TK_VAR:
        if (const std::string name = dottedName(tree); name.rfind(kCustomClassPrefix, 0) == 0) {
          out_.classes.push_back({name.substr(std::string_view(kCustomClassPrefix).size()), where(tree)});
          return;
        }
        break;
      default:
        break;
    }
    for (const auto& child : tree->trees()) visit(child);
  }

  void apply(const TreeRef& tree) {
    const torch::jit::Apply call(tree);
    const std::string callee = dottedName(call.callee());
    const auto op = operatorNamed(callee);
    if (!op) return;
    OperatorCall use;
    use.op = *op;
    use.positional = call.inputs().size();
    for (const auto& keyword : call.attributes()) {
      use.keywords.push_back(keyword.name().name());
      if (keyword.name().name() == "dtype" && keyword.value().kind() == torch::jit::TK_CONST) {
        constantDtype(torch::jit::Const(keyword.value()), where(tree));
      }
    }
    use.location = where(tree);
    if (use.op == "aten::device" && use.positional == 1 && use.keywords.empty() &&
        call.inputs()[0].kind() == torch::jit::TK_STRINGLITERAL) {
      // PythonPrint's spelling of a Device constant: the compiler makes it a
      // prim::Constant, not an operator call (checked by the model tests).
      const std::string device = torch::jit::StringLiteral(call.inputs()[0]).text();
      out_.devices.push_back({device, use.location.str(), use.location});
      return;
    }
    out_.calls.push_back(std::move(use));
  }

  void constantDtype(const torch::jit::Const& value, const CodeLocation& location) {
    if (!value.isIntegral()) return;
    const int64_t code = value.asIntegral();
    if (code < 0 || code >= static_cast<int64_t>(c10::ScalarType::NumOptions)) return;
    out_.dtypes.push_back({c10::toString(static_cast<c10::ScalarType>(code)), location.str(), location});
  }

  const CodeRecord& record_;
  LineIndex lines_;
  ModelRequirements& out_;
};

// 1.x's storage classes name their dtype ("float32" from torch.FloatStorage);
// the dtype of a tensor constant as LibTorch spells a ScalarType.
std::string scalarTypeName(const std::string& dtype) {
  static const std::map<std::string, std::string> names = {
      {"float32", "Float"}, {"float64", "Double"}, {"float16", "Half"}, {"bfloat16", "BFloat16"},
      {"int64", "Long"}, {"int32", "Int"}, {"int16", "Short"}, {"int8", "Char"}, {"uint8", "Byte"},
      {"bool", "Bool"}, {"complex64", "ComplexFloat"}, {"complex128", "ComplexDouble"},
      {"qint8", "QInt8"}, {"quint8", "QUInt8"}, {"qint32", "QInt32"}};
  const auto it = names.find(dtype);
  return it == names.end() ? dtype : it->second;
}

}  // namespace

ModelRequirements readRequirements(const ArchiveInfo& archive) {
  ModelRequirements out;
  out.path = archive.path;
  out.format_version = archive.format_version;
  out.producer = archive.writtenByTorch2() ? "PyTorch >= 2.0" : "PyTorch < 2.0";
  forEachCodeRecord(archive, [&](const CodeRecord& record) {
    try {
      RecordReader(record, out).read();
    } catch (const std::exception& e) {  // ErrorReport: the record is not TorchScript LibTorch can read
      throw InputError(archive.path, fmt::format("record '{}' does not parse as TorchScript: {}", record.name,
                                                 firstLine(e.what())));
    }
  });
  out.bytecode = readMobileBytecode(archive);
  // Parameters and buffers saved from a GPU: torch::jit::load restores each
  // storage on the device it was saved from unless given a map_location.
  // The CPU, where nearly every export is saved, is no requirement.
  std::set<std::string> parameter_devices;
  for (const auto& storage : archive.data_storages) {
    if (storage.location.rfind("cpu", 0) != 0) parameter_devices.insert(storage.location);
  }
  for (const auto& device : parameter_devices) {
    out.devices.push_back({device, "data.pkl (parameters and buffers)", std::nullopt, /*parameter=*/true});
  }
  for (const auto& storage : archive.constant_storages) {
    out.devices.push_back({storage.location, "constants.pkl (tensor constant " + storage.key + ")", std::nullopt});
    out.dtypes.push_back({scalarTypeName(storage.dtype), "constants.pkl (tensor constant " + storage.key + ")",
                          std::nullopt});
  }
  return out;
}

ModelRequirements readRequirements(const std::string& path) {
  return readRequirements(inspectArchive(path, FormatVersion::kAnyVersion));
}

}  // namespace jitscope
