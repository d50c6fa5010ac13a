#include "jitscope/inspector/debug_ranges.h"

#include <torch/csrc/jit/frontend/source_range.h>
#include <torch/csrc/jit/serialization/pickle.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "jitscope/inspector/code_records.h"
#include "jitscope/inspector/pickle_scan.h"

namespace jitscope {

// One debug_pkl: (offset in the code record, generating range), by offset.
struct GeneratingSources::Records {
  struct Entry {
    int64_t offset = 0;
    std::shared_ptr<torch::jit::Source> source;
    size_t start = 0;
    size_t end = 0;
  };
  std::vector<Entry> entries;
};

namespace {

constexpr const char* kFormatWithStringTable = "FORMAT_WITH_STRING_TABLE";

// SourceRangeDeserializer (source_range_serialization.cpp), which LibTorch
// does not export: a source is (text, filename, starting line), or with a
// string table (text piece indices, filename index, starting line).
class SourceReader {
 public:
  explicit SourceReader(std::vector<std::string> table) : table_(std::move(table)) {}

  std::shared_ptr<torch::jit::Source> read(const c10::IValue& value) {
    const auto* key = value.isTuple() ? value.toTuple().get() : nullptr;
    if (!key) return nullptr;
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    const auto& parts = value.toTupleRef().elements();
    if (parts.size() != 3 || !parts[2].isInt()) return nullptr;
    std::string text;
    c10::optional<std::string> filename;
    if (table_.empty()) {
      if (!parts[0].isString()) return nullptr;
      text = parts[0].toStringRef();
      if (parts[1].isString()) filename = parts[1].toStringRef();
    } else {
      if (!parts[0].isIntList() || !parts[1].isInt()) return nullptr;
      for (const int64_t index : parts[0].toIntVector()) {
        if (index < 0 || static_cast<size_t>(index) >= table_.size()) return nullptr;
        text += table_[static_cast<size_t>(index)];
      }
      const int64_t name = parts[1].toInt();
      if (name >= 0 && static_cast<size_t>(name) < table_.size()) filename = table_[static_cast<size_t>(name)];
    }
    const int64_t first_line = parts[2].toInt();
    auto source = std::make_shared<torch::jit::Source>(std::move(text), filename,
                                                       static_cast<size_t>(std::max<int64_t>(first_line, 0)));
    cache_.emplace(key, source);
    return source;
  }

 private:
  std::vector<std::string> table_;
  std::map<const void*, std::shared_ptr<torch::jit::Source>> cache_;
};

GeneratingSources::Records unpickleRecords(const std::string& bytes) {
  GeneratingSources::Records out;
  const c10::IValue root = torch::jit::unpickle(bytes.data(), bytes.size());
  if (!root.isTuple()) return out;
  const auto* lines = &root.toTupleRef().elements();
  std::vector<std::string> table;
  if (lines->size() == 3 && (*lines)[0].isString() && (*lines)[0].toStringRef() == kFormatWithStringTable) {
    if (!(*lines)[1].isTuple() || !(*lines)[2].isTuple()) return out;
    for (const auto& text : (*lines)[1].toTupleRef().elements()) {
      if (!text.isString()) return out;
      table.push_back(text.toStringRef());
    }
    lines = &(*lines)[2].toTupleRef().elements();
  }
  SourceReader sources(std::move(table));
  for (const auto& line : *lines) {
    if (!line.isTuple()) continue;
    const auto& parts = line.toTupleRef().elements();
    if (parts.size() < 2 || !parts[0].isInt() || !parts[1].isTuple()) continue;
    const auto& range = parts[1].toTupleRef().elements();
    if (range.size() != 3 || !range[1].isInt() || !range[2].isInt()) continue;
    auto source = sources.read(range[0]);
    if (!source) continue;
    const int64_t start = range[1].toInt();
    const int64_t end = range[2].toInt();
    const auto size = static_cast<int64_t>(source->size());
    if (start < 0 || end < start || end > size) continue;
    out.entries.push_back({parts[0].toInt(), std::move(source), static_cast<size_t>(start), static_cast<size_t>(end)});
  }
  std::stable_sort(out.entries.begin(), out.entries.end(),
                   [](const auto& a, const auto& b) { return a.offset < b.offset; });
  return out;
}

}  // namespace

GeneratingSources::GeneratingSources(ArchiveInfo archive) : archive_(std::move(archive)) {}
GeneratingSources::~GeneratingSources() = default;

const GeneratingSources::Records& GeneratingSources::recordsOf(const std::string& record) {
  auto& slot = records_[record];
  if (!slot) {
    slot = std::make_unique<Records>();
    try {
      if (const auto bytes = readArchiveRecord(archive_, record + ".debug_pkl")) {
        // The gate's scan first: LibTorch's unpickler would recurse on a
        // crafted nesting and crash (Note [Pickle nesting bound]).
        scanPickle(*bytes);
        *slot = unpickleRecords(*bytes);
      }
    } catch (const std::exception&) {
      // Damaged debug info costs the Python line, nothing else.
      slot->entries.clear();
    }
  }
  return *slot;
}

std::optional<SourceLocation> GeneratingSources::locate(const CodeLocation& at) {
  const auto& entries = recordsOf(at.record).entries;
  auto it = std::upper_bound(entries.begin(), entries.end(), static_cast<int64_t>(at.offset),
                             [](int64_t offset, const Records::Entry& entry) { return offset < entry.offset; });
  if (it == entries.begin()) return std::nullopt;
  const auto& entry = *(it - 1);
  const std::string text = entry.source->text_str().str();
  if (text.empty() || entry.start == entry.end) return std::nullopt;
  // A traced node's generating text is the tracer's Python stack.
  const auto stack = parseTracerStack(text);
  if (!stack.empty()) {
    for (const auto& frame : stack) {
      if (!isTorchLibraryFile(frame.file)) return SourceLocation{frame.file, frame.line, 0};
    }
    return SourceLocation{stack.front().file, stack.front().line, 0};
  }
  const torch::jit::SourceRange range(entry.source, entry.start, entry.end);
  const auto flc = range.file_line_col();
  if (!flc) return std::nullopt;
  return SourceLocation{std::get<0>(*flc), std::get<1>(*flc), std::get<2>(*flc) + 1};
}

}  // namespace jitscope
