// libFuzzer target: the load path `jitscope info` takes (loadModel: the
// archive gate, the code-record bounds of code_depth.h, then
// torch::jit::load, whose parser and compiler run on the code) on a valid
// archive whose forward holds TorchScript-looking code generated from the
// fuzzer's bytes. Structure-aware: the bytes choose from a small grammar
// (deep brackets, long operator chains, unary runs, postfix chains, ternary
// and lambda nests, nested blocks and elif chains, huge literals, odd
// unicode, very long identifiers, backslash continuations), so every input
// reaches the compiler instead of dying in the zip reader. Every input must
// load or end in a one-line InputError; a signal, a sanitizer report or
// another exception is a bug. Built and run by scripts/fuzz.sh (fuzz_compiler;
// clang's libFuzzer) and scripts/gpu/fuzz-sanitized.sh (gcc, with
// fuzz/standalone_main.cpp).
//
// JITSCOPE_FUZZ_SAVE=PATH keeps the archive of the last input (replay it
// with `jitscope info PATH`); JITSCOPE_FUZZ_DUMP prints the code and error.
//
// The template archive: $JITSCOPE_FUZZ_TEMPLATE, else
// build/models/my_cell.scripted.pt (the fixture MyCell, scripted).
#include <caffe2/serialize/inline_container.h>

#if __has_include(<fuzzer/FuzzedDataProvider.h>)
#include <fuzzer/FuzzedDataProvider.h>
#else
#include "FuzzedDataProvider.h"  // gcc, without libFuzzer: the stand-in (fuzz/standalone_main.cpp)
#endif
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "jitscope/core/errors.h"
#include "jitscope/inspector/model.h"

namespace {

constexpr size_t kMaxCode = 8u << 20;  // generated code per input: a few MiB, as a crafted record could be

struct Template {
  std::vector<std::pair<std::string, std::string>> records;  ///< name (without the folder), bytes
  size_t code = 0;      ///< index of the record holding forward
  size_t insert_at = 0; ///< offset in it just after forward's signature
};

const Template& archiveTemplate() {
  static const Template t = [] {
    const char* env = std::getenv("JITSCOPE_FUZZ_TEMPLATE");
    const std::string path = env ? env : "build/models/my_cell.scripted.pt";
    caffe2::serialize::PyTorchStreamReader reader(path);
    Template out;
    for (const auto& name : reader.getAllRecords()) {
      if (name == "version" || name == ".data/version") continue;  // the writer writes its own
      auto [data, size] = reader.getRecord(name);
      out.records.emplace_back(name, std::string(static_cast<const char*>(data.get()), size));
    }
    for (size_t i = 0; i < out.records.size(); ++i) {
      const std::string& text = out.records[i].second;
      const auto def = text.find("  def forward(");
      if (out.records[i].first.rfind("code/", 0) != 0 || def == std::string::npos) continue;
      const auto colon = text.find(":\n", text.find(") ->", def));
      if (colon == std::string::npos) continue;
      out.code = i;
      out.insert_at = colon + 2;
      return out;
    }
    std::fprintf(stderr, "fuzz_compiler: %s has no code record with a forward\n", path.c_str());
    std::abort();
  }();
  return t;
}

class Generator {
 public:
  explicit Generator(FuzzedDataProvider& in) : in_(in) {}

  std::string statements() {
    std::string out;
    const int n = in_.ConsumeIntegralInRange(1, 4);
    for (int i = 0; i < n && out.size() < kMaxCode; ++i) out += statement(4);
    return out;
  }

 private:
  // 1 to 2^18, small counts more likely than large ones.
  size_t count() {
    const unsigned bits = in_.ConsumeIntegralInRange(0u, 18u);
    return (size_t{1} << bits) + in_.ConsumeIntegralInRange<size_t>(0, (size_t{1} << bits) / 2);
  }
  bool full(const std::string& s) const { return s.size() >= kMaxCode; }
  std::string repeat(const std::string& piece, size_t n) {
    std::string out;
    if (piece.empty()) return out;
    n = std::min(n, kMaxCode / piece.size());
    out.reserve(piece.size() * n);
    for (size_t i = 0; i < n; ++i) out += piece;
    return out;
  }

  std::string identifier() {
    switch (in_.ConsumeIntegralInRange(0, 5)) {
      case 0: return "x";
      case 1: return "h";
      case 2: return "self";
      case 3: return repeat("a", count());  // very long
      case 4: return repeat("\xc3\xa9\xe4\xb8\xad", in_.ConsumeIntegralInRange(1, 5000));  // é中
      default: return "torch";
    }
  }

  std::string atom() {
    switch (in_.ConsumeIntegralInRange(0, 8)) {
      case 0: return "1" + repeat("0", count());                      // huge int
      case 1: return "1." + repeat("5", count()) + "e" + std::to_string(in_.ConsumeIntegral<int32_t>());
      case 2: return "\"" + repeat("\xf0\x9f\x98\x80\\n\\x00", in_.ConsumeIntegralInRange(0, 2000)) + "\"";
      case 3: return "True";
      case 4: return "None";
      case 5: return "0x" + repeat("f", in_.ConsumeIntegralInRange(1, 64));
      case 6: return "\xe2\x80\xae" + identifier();  // a right-to-left override before a name
      default: return identifier();
    }
  }

  std::string op() {
    static const char* const ops[] = {" + ", "-", " * ", " / ", " // ", " % ", " ** ", " & ", " | ", " ^ ",
                                      " << ", " >> ", " == ", " != ", " < ", " <= ", " is ", " is not ",
                                      " in ", " not in ", " and ", " or ", " @ ", "+-", "=="};
    return ops[in_.ConsumeIntegralInRange<size_t>(0, std::size(ops) - 1)];
  }

  std::string expr(int depth) {
    if (depth <= 0 || in_.remaining_bytes() == 0) return atom();
    const size_t k = count();
    switch (in_.ConsumeIntegralInRange(0, 11)) {
      case 0: return atom();
      case 1: {  // unary run, with or without spaces
        static const char* const prefixes[] = {"-", "~", "not ", "+", "- ", "(-"};
        const std::string p = prefixes[in_.ConsumeIntegralInRange(0, 5)];
        return repeat(p, k) + expr(depth - 1) + (p == "(-" ? repeat(")", k) : "");
      }
      case 2: {  // brackets nested k deep
        static const char* const open[] = {"(", "[", "{", "torch.neg(", "[x, "};
        static const char* const close[] = {")", "]", "}", ")", "]"};
        const int b = in_.ConsumeIntegralInRange(0, 4);
        return repeat(open[b], k) + expr(depth - 1) + repeat(close[b], k);
      }
      case 3: {  // a binary chain of one operator
        const std::string o = op();
        const std::string operand = expr(depth - 1);
        return operand + repeat(o + operand, k);
      }
      case 4: {  // postfix chain
        static const char* const links[] = {"[0]", "()", ".T", "[:, 0]", "(x)", ".forward(x)", "[0:1:2]"};
        return expr(depth - 1) + repeat(links[in_.ConsumeIntegralInRange(0, 6)], k);
      }
      case 5: {  // a wide literal
        const std::string item = expr(depth - 1);
        return "[" + item + repeat(", " + item, k) + "]";
      }
      case 6: {  // ternary chain
        const std::string a = expr(depth - 1);
        return a + repeat(" if " + a + " else " + a, k);
      }
      case 7: return repeat("lambda: ", k) + expr(depth - 1);
      case 8: {  // continued over lines
        const std::string a = expr(depth - 1);
        return a + repeat(" + \\\n      " + a, k);
      }
      case 9: {  // dict and keyword arguments
        const std::string a = expr(depth - 1);
        return in_.ConsumeBool() ? "{" + a + ": " + a + repeat(", " + a + ": " + a, k) + "}"
                                 : "torch.add(x, x" + repeat(", alpha=" + a, k) + ")";
      }
      case 10: return identifier() + "." + identifier() + "(" + expr(depth - 1) + ")";
      default: return "(" + expr(depth - 1) + op() + expr(depth - 1) + ")";
    }
  }

  std::string statement(int indent) {
    const std::string pad(indent, ' ');
    switch (in_.ConsumeIntegralInRange(0, 6)) {
      case 0: {  // blocks nested k deep (the file grows as k^2)
        size_t k = std::min<size_t>(count(), 4000);
        std::string out;
        for (size_t i = 0; i < k && !full(out); ++i) out += std::string(indent + i, ' ') + "if " + expr(1) + ":\n";
        return out + std::string(indent + k, ' ') + "pass\n";
      }
      case 1: {  // an elif chain
        const std::string cond = expr(2);
        return pad + "if " + cond + ":\n" + pad + "  pass\n" + repeat(pad + "elif " + cond + ":\n" + pad + "  pass\n", count());
      }
      case 2: return repeat(pad + "_fz = " + expr(2) + "\n", count());  // many statements
      case 3: return pad + "for _i in range(" + expr(2) + "):\n" + statement(indent + 2);
      case 4: return pad + "while " + expr(2) + ":\n" + statement(indent + 2);
      case 5: return pad + "return " + expr(3) + "\n";
      default: return pad + "_fz = " + expr(4) + "\n";
    }
  }

  FuzzedDataProvider& in_;
};

std::string archiveWith(const std::string& code) {
  const Template& t = archiveTemplate();
  std::string bytes;
  caffe2::serialize::PyTorchStreamWriter writer([&bytes](const void* data, size_t size) {
    bytes.append(static_cast<const char*>(data), size);
    return size;
  });
  for (size_t i = 0; i < t.records.size(); ++i) {
    const auto& [name, data] = t.records[i];
    if (i == t.code) {
      const std::string changed = data.substr(0, t.insert_at) + code + data.substr(t.insert_at);
      writer.writeRecord(name, changed.data(), changed.size());
    } else {
      writer.writeRecord(name, data.data(), data.size());
    }
  }
  writer.writeEndOfFile();
  return bytes;
}

const std::string& scratchPath() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    return std::string(dir ? dir : "/tmp") + "/jitscope-fuzz-compiler-" + std::to_string(getpid()) + ".pt";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string code = Generator(in).statements();
  const std::string archive = archiveWith(code);
  const std::string& path = scratchPath();
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (std::fwrite(archive.data(), 1, archive.size(), f) != archive.size()) std::abort();
  std::fclose(f);
  if (std::getenv("JITSCOPE_FUZZ_DUMP")) std::fwrite(code.data(), 1, std::min<size_t>(code.size(), 4096), stderr);
  if (const char* keep = std::getenv("JITSCOPE_FUZZ_SAVE")) {  // the archive, to replay with `jitscope info`
    std::FILE* out = std::fopen(keep, "wb");
    if (out) {
      std::fwrite(archive.data(), 1, archive.size(), out);
      std::fclose(out);
    }
  }
  try {
    jitscope::loadModel(path);
  } catch (const jitscope::InputError& e) {
    if (std::getenv("JITSCOPE_FUZZ_DUMP")) std::fprintf(stderr, "\n=> %s\n", e.what());
    if (std::string(e.what()).find('\n') != std::string::npos) std::abort();  // one line, always
  }
  // Anything else escaping (an "unexpected failure" in jitscope) ends the
  // run as a crash: libFuzzer reports the uncaught exception.
  return 0;
}
