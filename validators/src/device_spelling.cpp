#include "device_spelling.h"

#include "jitscope/validators/python_source.h"
#include "python_syntax.h"

namespace jitscope {
namespace {

bool isString(const SyntaxNode& node) {
  return node.is("string") || node.is("concatenated_string");
}

// Judges one device expression.
DeviceSpelling judge(const SyntaxNode& expression) {
  if (!expression || expression.is("none")) return DeviceSpelling::kAbsent;
  if (isString(expression)) return DeviceSpelling::kLiteral;
  if (expression.is("call") && expression.field("function").text() == "torch.device") {
    const auto args = expression.field("arguments").named();
    if (!args.empty() && isString(args[0])) return DeviceSpelling::kLiteral;
    const bool from_tensor = !args.empty() && args[0].text().find(".device") != std::string_view::npos;
    return from_tensor ? DeviceSpelling::kFromTensor : DeviceSpelling::kVariable;
  }
  if (expression.is("attribute") && expression.field("attribute").text() == "device") {
    return DeviceSpelling::kFromTensor;
  }
  // .to(torch.float64), .to(memory_format=...): no device named.
  if (expression.is("attribute") && expression.text().substr(0, 6) == "torch.") {
    return DeviceSpelling::kAbsent;
  }
  if (expression.text().find(".device") != std::string_view::npos) return DeviceSpelling::kFromTensor;
  return DeviceSpelling::kVariable;
}

int rank(DeviceSpelling s) {
  switch (s) {
    case DeviceSpelling::kFromTensor: return 3;
    case DeviceSpelling::kVariable: return 2;
    case DeviceSpelling::kLiteral: return 1;
    default: return 0;
  }
}

void visit(const SyntaxNode& node, DeviceSpellingResult& best, int depth) {
  if (!node || depth > 200) return;
  auto offer = [&best](DeviceSpelling spelling, std::string_view expression) {
    if (rank(spelling) > rank(best.spelling)) best = {spelling, std::string(expression)};
  };
  if (node.is("keyword_argument") && node.field("name").text() == "device") {
    offer(judge(node.field("value")), node.field("value").text());
  } else if (node.is("call") && node.field("function").is("attribute")) {
    const std::string_view method = node.field("function").field("attribute").text();
    if (method == "cpu" || method == "cuda") {
      offer(DeviceSpelling::kLiteral, method == "cpu" ? ".cpu()" : ".cuda()");
    } else if (method == "to") {
      for (const SyntaxNode& arg : node.field("arguments").named()) {
        if (!arg.is("keyword_argument")) {  // the first positional argument
          offer(judge(arg), arg.text());
          break;
        }
      }
    }
  }
  for (const SyntaxNode& child : node.named()) visit(child, best, depth + 1);
}

}  // namespace

DeviceSpellingResult classifyDeviceSpelling(std::string_view statement) {
  DeviceSpellingResult best{DeviceSpelling::kAbsent, ""};
  const auto syntax = PythonSyntax::parse(std::string(statement));
  if (!syntax) return {DeviceSpelling::kUnknown, ""};
  visit(syntax->root(), best, 0);
  return best;
}

std::string statementAt(const PythonSourceFile& file, size_t line) {
  return file.statementText(line);
}

}  // namespace jitscope
