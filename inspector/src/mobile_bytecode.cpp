#include "jitscope/inspector/mobile_bytecode.h"

#include <fmt/format.h>

#include "jitscope/core/errors.h"
#include "jitscope/inspector/code_records.h"
#include "jitscope/inspector/pickle_scan.h"

namespace jitscope {
namespace {

constexpr const char* kRecord = "bytecode.pkl";

using Kind = PickleValue::Kind;
using ValuePtr = std::shared_ptr<const PickleValue>;

class BytecodeReader {
 public:
  explicit BytecodeReader(const ArchiveInfo& archive) : archive_(archive) {}

  MobileBytecode read(const PickleValue& root) {
    // Bytecode 3 and older had no version in front; the loaders of every
    // LibTorch we support refuse those, and so does the target check.
    if (root.kind != Kind::kTuple || root.items.empty() || root.items.front()->kind != Kind::kInt ||
        root.items.front()->number < 0) {
      fail("does not start with its bytecode version");
    }
    MobileBytecode out;
    out.version = static_cast<uint64_t>(root.items.front()->number);
    for (size_t i = 1; i < root.items.size(); ++i) method(*root.items[i], out);
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(archive_.path, fmt::format("record '{}' {}: the file is not a lite-interpreter export "
                                                "(torch.jit.save or _save_for_lite_interpreter) or was damaged; "
                                                "re-export it",
                                                kRecord, what));
  }

  static bool isTuple(const ValuePtr& v, size_t min_size) {
    return v && v->kind == Kind::kTuple && v->items.size() >= min_size;
  }
  static bool isStr(const ValuePtr& v) { return v && v->kind == Kind::kStr; }

  void method(const PickleValue& function, MobileBytecode& out) {
    if (function.kind != Kind::kTuple || function.items.size() < 2 || !isStr(function.items[0]) ||
        !isTuple(function.items[1], 0)) {
      fail(fmt::format("holds a method {} that is not (name, code table, ...)", out.methods.size()));
    }
    const std::string& name = function.items[0]->text;
    out.methods.push_back(name);
    for (const auto& entry : function.items[1]->items) {
      if (!isTuple(entry, 2) || !isStr(entry->items[0])) fail(fmt::format("method {}: a code entry is not (key, value)", name));
      if (entry->items[0]->text != "operators") continue;
      if (!isTuple(entry->items[1], 0)) fail(fmt::format("method {}: its operator table is not a tuple", name));
      for (const auto& op : entry->items[1]->items) {
        if (!isTuple(op, 2) || !isStr(op->items[0]) || !isStr(op->items[1])) {
          fail(fmt::format("method {}: an operator entry is not (name, overload[, arguments])", name));
        }
        MobileOperator entry_out{op->items[0]->text, op->items[1]->text, std::nullopt, name};
        if (op->items.size() > 2 && op->items[2]->kind == Kind::kInt && op->items[2]->number >= 0) {
          entry_out.arguments = static_cast<size_t>(op->items[2]->number);
        }
        out.operators.push_back(std::move(entry_out));
      }
    }
  }

  const ArchiveInfo& archive_;
};

}  // namespace

std::optional<MobileBytecode> readMobileBytecode(const ArchiveInfo& archive) {
  if (!archive.has_bytecode) return std::nullopt;
  const auto bytes = readArchiveRecord(archive, kRecord);
  if (!bytes) return std::nullopt;
  PickleSummary summary;
  try {
    summary = scanPickle(*bytes);
  } catch (const PickleRejected& e) {
    throw InputError(archive.path, fmt::format("record '{}': {}", kRecord, e.what()));
  }
  if (!summary.value) throw InputError(archive.path, fmt::format("record '{}' is an empty pickle; re-export it", kRecord));
  return BytecodeReader(archive).read(*summary.value);
}

}  // namespace jitscope
