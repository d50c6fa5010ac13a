#include <algorithm>
#include <iterator>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "jitscope/report/info_render.h"
#include "jitscope/report/text_util.h"

namespace jitscope {
namespace {

// "float32 x2, int64 x1" from a histogram.
std::string joinCounts(const std::map<std::string, size_t>& counts) {
  std::string out;
  for (const auto& [name, count] : counts) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} x{}", name, count);
  }
  return out;
}

std::string describeTensors(const TensorSummary& summary) {
  if (summary.count == 0) return "none";
  return fmt::format("{} tensors, {} elements, {} ({}; {})", summary.count,
                     summary.elements, humanBytes(summary.bytes),
                     joinCounts(summary.dtypes), joinCounts(summary.devices));
}

class TextWriter {
 public:
  void field(std::string_view key, std::string_view value) {
    out_ += fmt::format("  {:<15}{}\n", fmt::format("{}:", key), value);
  }
  void heading(std::string_view text) {
    if (!out_.empty()) out_ += "\n";
    out_ += text;
    out_ += "\n";
  }
  void line(std::string_view text) {
    out_ += text;
    out_ += "\n";
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

}  // namespace

namespace {

// What the archive asks of the LibTorch that loads it (requirements.h):
// what `jitscope compat` checks against a target.
void renderRequirements(TextWriter& w, const ModelRequirements& needs, const ArchiveInfo& archive) {
  const auto counts = needs.operatorCounts();
  w.heading(fmt::format("Requires (read from the code, not compiled): {} operators at {} call sites",
                        counts.size(), needs.calls.size()));
  w.line(fmt::format("  archive format    version {} ({}; this LibTorch reads {}..{})", needs.format_version,
                     needs.producer, archive.min_supported_version, archive.max_supported_version));
  std::map<std::string, std::vector<std::string>> by_namespace;
  for (const auto& [op, count] : counts) {
    const std::string ns = op.substr(0, op.find("::"));
    by_namespace[ns].push_back(count > 1 ? fmt::format("{} x{}", op.substr(ns.size() + 2), count)
                                         : op.substr(ns.size() + 2));
  }
  for (const auto& [ns, ops] : by_namespace) {
    // aten's list is long and standard; other namespaces are what a deployment must bring.
    if (ns == "aten" || ns == "prim") {
      w.line(fmt::format("  {:<17} {} operators (--format json lists them)", ns, ops.size()));
    } else {
      w.line(fmt::format("  {:<17} {}", ns, fmt::join(ops, ", ")));
    }
  }
  if (needs.bytecode) {
    // The mobile loader's lookup names: exact overloads, from bytecode.pkl.
    std::set<std::string> ops;
    for (const auto& op : needs.bytecode->operators) ops.insert(op.fullName());
    constexpr size_t kShown = 6;
    std::vector<std::string> shown(ops.begin(), std::next(ops.begin(), std::min(ops.size(), kShown)));
    if (ops.size() > kShown) shown.push_back(fmt::format("and {} more (--format json lists them)", ops.size() - kShown));
    w.line(fmt::format("  lite interpreter  bytecode version {} (this LibTorch reads {}..{}), {} operators in {} "
                       "method(s): {}",
                       needs.bytecode->version, archive.min_supported_bytecode, archive.max_supported_bytecode,
                       ops.size(), needs.bytecode->methods.size(), fmt::join(shown, ", ")));
  }
  if (!needs.classes.empty()) w.line(fmt::format("  custom classes    {}", fmt::join(needs.customClassNames(), ", ")));
  if (!needs.devices.empty()) w.line(fmt::format("  devices           {}", fmt::join(needs.deviceNames(), ", ")));
  if (!needs.dtypes.empty()) w.line(fmt::format("  dtypes            {}", fmt::join(needs.dtypeNames(), ", ")));
}

}  // namespace

std::string renderInfoText(const ModuleInfo& info, const ModelRequirements& needs) {
  const ArchiveInfo& archive = info.archive;
  TextWriter w;
  w.heading(fmt::format("File: {}", archive.path));
  w.field("Provenance", fmt::format("{}: {}", toString(info.provenance.verdict()),
                                    describeEvidence(info.provenance)));
  w.field("Size", fmt::format("{} ({} bytes)", humanBytes(archive.file_size),
                              archive.file_size));
  w.field("Format", fmt::format("TorchScript archive, version {} (this LibTorch {} reads {}..{})",
                                archive.format_version, info.linked_torch_version,
                                archive.min_supported_version,
                                archive.max_supported_version));
  w.field("Producer", archive.writtenByTorch2()
                          ? fmt::format("not recorded; layout of PyTorch 2.x (byteorder {})",
                                        archive.byte_order.empty() ? "?" : archive.byte_order)
                          : std::string("not recorded; layout of PyTorch 1.x"));
  w.field("Records", fmt::format("{} under '{}/': {} code, {} tensor data ({}), {} constants",
                                 archive.record_count, archive.prefix,
                                 archive.code_files, archive.tensor_records,
                                 humanBytes(archive.tensor_bytes),
                                 archive.constant_records));
  w.field("Debug info", archive.hasDebugInfo()
                            ? fmt::format("yes ({} .debug_pkl files)", archive.debug_files)
                            : std::string("no (source locations and provenance unavailable)"));
  if (archive.has_traced_inputs) {
    w.field("Trace inputs", fmt::format("stored ({} tensor records in traced_inputs/)",
                                        archive.traced_input_records));
  }
  w.field("Extra files", archive.extra_files.empty()
                             ? std::string("none")
                             : fmt::format("{}", fmt::join(archive.extra_files, ", ")));
  w.field("Parameters", describeTensors(info.parameters));
  w.field("Buffers", describeTensors(info.buffers));

  // Module tree: names indented by depth, type and provenance in columns.
  size_t name_width = 6;
  size_t type_width = 4;
  for (const auto& m : info.modules) {
    const std::string name = m.path.empty() ? "<root>" : m.path.substr(m.path.rfind('.') + 1);
    name_width = std::max(name_width, 2 * m.depth + name.size());
    type_width = std::max(type_width, m.type_name.size());
  }
  w.heading(fmt::format("Modules ({}):", info.modules.size()));
  for (const auto& m : info.modules) {
    const std::string name = m.path.empty() ? "<root>" : m.path.substr(m.path.rfind('.') + 1);
    w.line(fmt::format("  {:<{}}  {:<{}}  {}{}", std::string(2 * m.depth, ' ') + name,
                       name_width, m.type_name, type_width, toString(m.verdict),
                       m.verdict_from_submodules                ? " (via submodules)"
                       : m.verdict == Provenance::kUnknown ? " (no op of its own records its source)"
                                                                : ""));
  }

  if (!info.modules.empty()) {
    const auto& root = info.modules.front();
    w.heading(fmt::format("Methods ({}):", root.methods.size()));
    for (const auto& method : root.methods) {
      w.line(fmt::format("  {}", method.schema));
      w.line(fmt::format("      {}: {}", toString(method.provenance.verdict()),
                         describeEvidence(method.provenance)));
    }
  }

  const OpStats& ops = info.forward;
  if (ops.method.empty()) {
    w.heading("Graph: the model has no forward method");
  } else {
    w.heading(fmt::format("Graph of {} (inlined): {} nodes, {} prim::If, {} prim::Loop",
                          ops.method, ops.nodes, ops.if_nodes, ops.loop_nodes));
    std::vector<std::pair<std::string, size_t>> sorted(ops.ops.begin(), ops.ops.end());
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    size_t width = 0;
    for (const auto& [kind, count] : sorted) width = std::max(width, kind.size());
    for (const auto& [kind, count] : sorted) {
      w.line(fmt::format("  {:<{}}  {:>6}", kind, width, count));
    }
  }
  // Only when there are any: most models pin nothing.
  if (!info.pinned_devices.empty()) {
    w.heading(fmt::format("Pinned devices ({}):", info.pinned_devices.size()));
    for (const auto& d : info.pinned_devices) {
      w.line(fmt::format("  {}  {}  {}{}", d.device, d.op, d.location.known() ? d.location.str() : "-",
                         d.count > 1 ? fmt::format("  x{}", d.count) : ""));
    }
  }
  renderRequirements(w, needs, info.archive);
  return w.take();
}

}  // namespace jitscope
