#include "device_spelling.h"

#include <cctype>
#include <vector>

#include "jitscope/validators/python_source.h"

namespace jitscope {
namespace {

// `text` with string contents and comments blanked to spaces (quotes kept),
// so brackets and keywords are only found in code.
std::string codeOnly(std::string_view text) {
  std::string out(text);
  char quote = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const char c = out[i];
    if (quote) {
      if (c == '\\' && i + 1 < out.size()) {
        out[i] = out[i + 1] = ' ';
        ++i;
      } else if (c == quote) {
        quote = 0;
      } else if (c != '\n') {
        out[i] = ' ';
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      while (i < out.size() && out[i] != '\n') out[i++] = ' ';
    }
  }
  return out;
}

int bracketBalance(std::string_view code) {
  int depth = 0;
  for (char c : code) {
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
  }
  return depth;
}

std::string trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

bool isIdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The argument starting at `begin` of `code`: up to the next ',' or the
// closing bracket at depth 0. Returns [begin, end).
size_t argumentEnd(const std::string& code, size_t begin) {
  int depth = 0;
  for (size_t i = begin; i < code.size(); ++i) {
    const char c = code[i];
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') {
      if (depth == 0) return i;
      --depth;
    }
    if (c == ',' && depth == 0) return i;
  }
  return code.size();
}

// Judges one device expression (original text, not blanked).
DeviceSpelling judge(const std::string& expression) {
  if (expression.empty() || expression == "None") return DeviceSpelling::kAbsent;
  if (expression.front() == '"' || expression.front() == '\'') return DeviceSpelling::kLiteral;
  if (expression.rfind("torch.device(", 0) == 0) {
    const std::string inner = trim(expression.substr(13));
    if (!inner.empty() && (inner.front() == '"' || inner.front() == '\'')) return DeviceSpelling::kLiteral;
    return inner.find(".device") != std::string::npos ? DeviceSpelling::kFromTensor : DeviceSpelling::kVariable;
  }
  const std::string suffix = ".device";
  if (expression.size() > suffix.size() &&
      expression.compare(expression.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return DeviceSpelling::kFromTensor;
  }
  // dtypes and other keywords of .to(...) name no device.
  if (expression.rfind("torch.", 0) == 0 || expression.find('=') != std::string::npos) {
    return DeviceSpelling::kAbsent;
  }
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

}  // namespace

DeviceSpellingResult classifyDeviceSpelling(std::string_view statement) {
  const std::string text(statement);
  const std::string code = codeOnly(text);
  DeviceSpellingResult best{DeviceSpelling::kAbsent, ""};
  auto offer = [&best](DeviceSpelling spelling, std::string expression) {
    if (rank(spelling) > rank(best.spelling)) best = {spelling, std::move(expression)};
  };
  for (size_t i = 0; i < code.size(); ++i) {
    // device=EXPR (a keyword argument, not `device ==`)
    if (code.compare(i, 6, "device") == 0 && (i == 0 || !isIdentifierChar(code[i - 1]) ) &&
        (i == 0 || code[i - 1] != '.')) {
      size_t j = i + 6;
      while (j < code.size() && code[j] == ' ') ++j;
      if (j < code.size() && code[j] == '=' && (j + 1 >= code.size() || code[j + 1] != '=')) {
        const size_t begin = j + 1;
        const std::string expression = trim(std::string_view(text).substr(begin, argumentEnd(code, begin) - begin));
        offer(judge(expression), expression);
      }
    }
    // .cpu() / .cuda(...): the device is the call itself.
    if (code.compare(i, 5, ".cpu(") == 0) offer(DeviceSpelling::kLiteral, ".cpu()");
    if (code.compare(i, 6, ".cuda(") == 0) offer(DeviceSpelling::kLiteral, ".cuda()");
    // .to(EXPR, ...): the first positional argument.
    if (code.compare(i, 4, ".to(") == 0) {
      const size_t begin = i + 4;
      const std::string expression = trim(std::string_view(text).substr(begin, argumentEnd(code, begin) - begin));
      offer(judge(expression), expression);
    }
  }
  return best;
}

std::string statementAt(const PythonSourceFile& file, size_t line) {
  std::string text;
  int depth = 0;
  for (size_t n = line; n < line + 20; ++n) {
    const std::string& one = file.line(n);
    if (n > line && one.empty()) break;  // past the end, or a blank line
    text += (text.empty() ? "" : "\n") + one;
    depth += bracketBalance(codeOnly(one));
    const std::string trimmed = trim(codeOnly(one));
    if (depth <= 0 && (trimmed.empty() || trimmed.back() != '\\')) break;
  }
  return text;
}

}  // namespace jitscope
