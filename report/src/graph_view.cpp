#include "jitscope/report/graph_view.h"

#include <algorithm>
#include <deque>
#include <functional>
#include <set>

#include <fmt/format.h>

#include "jitscope/core/errors.h"

namespace jitscope {
namespace {

constexpr size_t kMaxDetailLength = 48;
constexpr size_t kMaxDetails = 5;  // label lines of folded arguments

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string baseName(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string shortLocation(const SourceLocation& location) {
  if (!location.known()) return "";
  return fmt::format("{}:{}", baseName(location.file), location.line);
}

std::string truncated(std::string text) {
  if (text.size() <= kMaxDetailLength) return text;
  text.resize(kMaxDetailLength - 3);
  return text + "...";
}

// "Float(1, 3, strides=[3, 1], requires_grad=0, device=cpu)" ->
// "Float(1, 3)": strides, autograd flag and device are noise on an edge.
std::string compactType(std::string type) {
  for (const char* noise : {", strides=", ", requires_grad=", ", device="}) {
    for (auto at = type.find(noise); at != std::string::npos; at = type.find(noise)) {
      size_t end = at + 2;
      int depth = 0;
      for (; end < type.size(); ++end) {
        if (type[end] == '[') ++depth;
        if (type[end] == ']') --depth;
        if (depth == 0 && (type[end] == ',' || type[end] == ')')) break;
      }
      type.erase(at, end - at);
    }
  }
  if (startsWith(type, "__torch__.")) type = baseName(type.substr(10));
  return type;
}

// Module paths are dotted ("layer1.0.conv1"); depth counts components.
size_t moduleDepth(const std::string& path) {
  return path.empty() ? 0 : static_cast<size_t>(std::count(path.begin(), path.end(), '.')) + 1;
}

std::string modulePrefix(const std::string& path, size_t depth) {
  if (depth == 0) return "";
  size_t end = 0;
  for (size_t i = 0; i < depth; ++i) {
    end = path.find('.', i == 0 ? 0 : end + 1);
    if (end == std::string::npos) return path;
  }
  return path.substr(0, end);
}

bool within(const std::string& path, const std::string& context) {
  return context.empty() || path == context || startsWith(path, context + ".");
}

// A file named in a finding or on the command line ("model.py", or a path
// from another checkout) matches a recorded file when one ends with the other.
bool sameFile(const std::string& recorded, const std::string& wanted) {
  if (recorded == wanted) return true;
  return endsWith(recorded, "/" + wanted) || endsWith(wanted, "/" + recorded);
}

bool fromLine(const GraphNode& node, const std::string& file, size_t line) {
  const auto& where = node.source.location;
  if (where.line == line && sameFile(where.file, file)) return true;
  return std::any_of(node.source.stack.begin(), node.source.stack.end(),
                     [&](const PythonFrame& frame) {
                       return frame.line == line && sameFile(frame.file, file);
                     });
}

std::string opTitle(const std::string& kind) {
  return startsWith(kind, "aten::") ? kind.substr(6) : kind;
}

class ViewBuilder {
 public:
  ViewBuilder(const GraphModel& graph, const GraphViewOptions& options)
      : graph_(graph), options_(options) {}

  GraphView build() {
    index(graph_.body, nullptr);
    selectVisible();
    view_.title = options_.title;
    clusters_.push_back({ViewCluster{"cluster_" + options_.id_prefix + "root", ClusterKind::kRoot,
                                     options_.title, "", false, {}, {}},
                         -1});
    addGraphInputs();
    emitBlock(graph_.body, 0, "");
    addGraphOutputs();
    connect(graph_.body);
    for (const auto& [index, count] : collapsed_ops_) {
      view_.nodes[index].details.push_back(fmt::format("{} {}", count, count == 1 ? "op" : "ops"));
    }
    for (const auto& [index, all] : arguments_) view_.nodes[index].tooltip += "\narguments:" + all;
    for (auto& node : view_.nodes) {
      if (node.details.size() <= kMaxDetails) continue;
      // All of them are in the tooltip; the box shows the first few.
      const size_t more = node.details.size() - (kMaxDetails - 1);
      node.details.resize(kMaxDetails - 1);
      node.details.push_back(fmt::format("+{} more", more));
    }
    highlight();
    if (!options_.focus.empty()) dropUnconnectedEnds();
    view_.root = assemble(0);
    view_.graph_nodes = order_.size() + folded_count_;
    view_.folded_nodes = folded_count_;
    return std::move(view_);
  }

 private:
  struct FlatCluster {
    ViewCluster cluster;
    int parent;
  };

  // ---- pass 1: what each value is and who makes it --------------------

  void index(const GraphBlock& block, const GraphNode* owner) {
    for (const auto& input : block.inputs) {
      type_[input.name] = input.type;
      // The module itself (`self`) is an input of forward; attribute reads
      // from it fold into "conv1.weight".
      if (owner == nullptr && startsWith(input.type, "__torch__.")) folded_[input.name] = "self";
    }
    for (const auto& node : block.nodes) {
      for (const auto& output : node.outputs) type_[output.name] = output.type;
      if (auto text = foldedText(node)) {
        folded_[node.outputs.front().name] = *text;
        ++folded_count_;
        continue;
      }
      order_.push_back(&node);
      parent_[node.id] = owner;
      module_[node.id] = inferModule(node, owner);
      for (const auto& output : node.outputs) producer_[output.name] = &node;
      for (const auto& sub : node.blocks) index(sub, &node);
    }
  }

  // A traced call stack names each module by its attribute in the module
  // that called it, so modules reached through a container that has no
  // forward of its own (ModuleList, ModuleDict) lose the container's name:
  // "0.attention" is really "layers.0.attention". Each such step is
  // resolved against the module tree when exactly one path fits.
  std::string resolveModule(const std::string& recorded) const {
    const auto& known = options_.module_types;
    if (known.empty() || known.count(recorded)) return recorded;
    std::string current;
    size_t start = 0;
    while (start <= recorded.size()) {
      size_t end = recorded.find('.', start);
      if (end == std::string::npos) end = recorded.size();
      const std::string name = recorded.substr(start, end - start);
      start = end + 1;
      const std::string direct = current.empty() ? name : current + "." + name;
      if (known.count(direct)) {
        current = direct;
        continue;
      }
      std::string found;
      size_t matches = 0;
      const size_t depth = moduleDepth(current) + 2;
      for (const auto& entry : known) {
        const std::string& path = entry.first;
        if (moduleDepth(path) == depth && within(path, current) && endsWith(path, "." + name)) {
          found = path;
          ++matches;
        }
      }
      if (matches != 1) return recorded;
      current = found;
    }
    return current;
  }

  // The submodule a node belongs to. LibTorch's inliner records it for most
  // nodes, but not for some control flow (the `if self.training` of a batch
  // norm) nor always inside blocks: a node in a block takes the module of
  // the `if` or loop around it; an `if` or loop takes the module whose
  // attribute it reads, else that of the node making its input.
  std::string inferModule(const GraphNode& node, const GraphNode* owner) const {
    if (!node.source.module_path.empty()) return resolveModule(node.source.module_path);
    if (owner != nullptr) return module_.at(owner->id);
    // Ops of the root module's own code have no module either; only control
    // flow is guessed, where the inliner is known to drop it.
    if (node.blocks.empty()) return "";
    for (const auto& input : node.inputs) {
      const auto text = folded_.find(input);
      if (text == folded_.end()) continue;
      const auto dot = text->second.rfind('.');
      if (dot == std::string::npos) continue;
      const std::string owner_module = text->second.substr(0, dot);
      if (options_.module_types.count(owner_module)) return owner_module;
    }
    for (const auto& input : node.inputs) {  // a check on a module's result
      const auto made = producer_.find(input);
      if (made != producer_.end() && !module_.at(made->second->id).empty()) {
        return module_.at(made->second->id);
      }
    }
    return "";
  }

  // Constants, attribute reads and lists built only of those are shown in
  // the label of the node that uses them instead of as boxes of their own.
  std::optional<std::string> foldedText(const GraphNode& node) const {
    if (node.outputs.size() != 1 || !node.blocks.empty()) return std::nullopt;
    if (node.kind == "prim::Constant") return node.constant.empty() ? "?" : node.constant;
    const auto folded = [&](const std::string& value) { return folded_.count(value) > 0; };
    if (node.kind == "prim::GetAttr" && node.inputs.size() == 1 && folded(node.inputs[0])) {
      const std::string& owner = folded_.at(node.inputs[0]);
      return owner == "self" ? node.attribute : owner + "." + node.attribute;
    }
    const bool list = node.kind == "prim::ListConstruct";
    if ((list || node.kind == "prim::TupleConstruct") &&
        std::all_of(node.inputs.begin(), node.inputs.end(), folded)) {
      std::string text = list ? "[" : "(";
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        text += (i ? ", " : "") + folded_.at(node.inputs[i]);
      }
      return text + (list ? "]" : (node.inputs.size() == 1 ? ",)" : ")"));
    }
    return std::nullopt;
  }

  // ---- pass 2: --focus -------------------------------------------------

  std::vector<const GraphNode*> focusSeeds() const {
    const std::string& focus = options_.focus;
    std::vector<const GraphNode*> seeds;
    if (focus.size() > 1 && focus[0] == 'n' &&
        std::all_of(focus.begin() + 1, focus.end(), ::isdigit)) {
      const size_t id = std::stoul(focus.substr(1));
      for (const auto* node : order_) {
        if (node->id == id) seeds.push_back(node);
      }
      if (seeds.empty()) {
        throw SettingError(Setting::kFocus, focus,
                           "no drawn node has that id (constants and attribute reads are folded into their users)");
      }
      return seeds;
    }
    if (!focus.empty() && focus[0] == '%') {
      const auto found = producer_.find(focus.substr(1));
      if (found == producer_.end()) {
        throw SettingError(Setting::kFocus, focus, "no drawn node produces that value",
                           "see `jitscope dump --inline` for value names");
      }
      return {found->second};
    }
    const auto colon = focus.rfind(':');
    size_t line = 0;
    if (colon != std::string::npos && colon + 1 < focus.size() &&
        std::all_of(focus.begin() + static_cast<long>(colon) + 1, focus.end(), ::isdigit)) {
      line = std::stoul(focus.substr(colon + 1));
    }
    if (line == 0) {
      throw SettingError(Setting::kFocus, focus, "expected a node id (n42), a value (%x.1) or FILE:LINE (model.py:21)");
    }
    const std::string file = focus.substr(0, colon);
    std::set<size_t> lines_of_file;
    for (const auto* node : order_) {
      if (fromLine(*node, file, line)) seeds.push_back(node);
      if (sameFile(node->source.location.file, file)) lines_of_file.insert(node->source.location.line);
    }
    if (seeds.empty()) {
      std::string known;
      for (size_t l : lines_of_file) {
        if (known.size() > 60) {
          known += ", ...";
          break;
        }
        known += (known.empty() ? "" : ", ") + std::to_string(l);
      }
      if (known.empty()) {
        throw SettingError(Setting::kFocus, focus, fmt::format("no node of this graph comes from '{}'", file));
      }
      throw SettingError(Setting::kFocus, focus, fmt::format("no node comes from line {}", line),
                         fmt::format("nodes come from lines {} of that file", known));
    }
    return seeds;
  }

  void selectVisible() {
    if (options_.focus.empty()) {
      for (const auto* node : order_) visible_.insert(node->id);
      return;
    }
    // Undirected neighbours: producers, users, and the enclosing `if`/loop.
    std::map<size_t, std::vector<const GraphNode*>> next;
    std::map<std::string, std::vector<const GraphNode*>> users;
    for (const auto* node : order_) {
      for (const auto& input : node->inputs) users[input].push_back(node);
      for (const auto& block : node->blocks) {
        for (const auto& output : block.outputs) users[output].push_back(node);
      }
    }
    for (const auto* node : order_) {
      auto& around = next[node->id];
      for (const auto& input : node->inputs) {
        if (auto p = producer_.find(input); p != producer_.end()) around.push_back(p->second);
      }
      for (const auto& output : node->outputs) {
        for (const auto* user : users[output.name]) around.push_back(user);
      }
      if (const GraphNode* owner = parent_.at(node->id)) around.push_back(owner);
      for (const auto& block : node->blocks) {
        for (const auto& output : block.outputs) {
          if (auto p = producer_.find(output); p != producer_.end()) around.push_back(p->second);
        }
      }
    }
    std::deque<std::pair<const GraphNode*, size_t>> queue;
    for (const auto* seed : focusSeeds()) {
      if (visible_.insert(seed->id).second) queue.emplace_back(seed, 0);
    }
    while (!queue.empty()) {
      const auto [node, distance] = queue.front();
      queue.pop_front();
      if (distance == options_.radius) continue;
      for (const auto* neighbour : next[node->id]) {
        if (visible_.insert(neighbour->id).second) queue.emplace_back(neighbour, distance + 1);
      }
    }
    // A drawn node needs the branches and loops around it.
    for (const auto* node : order_) {
      if (!visible_.count(node->id)) continue;
      for (const GraphNode* owner = parent_.at(node->id); owner; owner = parent_.at(owner->id)) {
        visible_.insert(owner->id);
      }
    }
    view_.hidden_nodes = order_.size() - visible_.size();
  }

  // ---- pass 3: nodes and clusters ----------------------------------------

  size_t addNode(size_t cluster, ViewNode node) {
    node.id = options_.id_prefix + node.id;
    view_.nodes.push_back(std::move(node));
    clusters_[cluster].cluster.nodes.push_back(view_.nodes.size() - 1);
    return view_.nodes.size() - 1;
  }

  size_t addCluster(size_t parent, ClusterKind kind, const std::string& key, std::string label,
                    std::string tooltip = "") {
    clusters_.push_back({ViewCluster{"cluster_" + options_.id_prefix + key, kind, std::move(label),
                                     std::move(tooltip), false, {}, {}},
                         static_cast<int>(parent)});
    return clusters_.size() - 1;
  }

  // The cluster of submodule `path` inside `cluster` (whose nodes belong to
  // module `context`), creating one cluster per path component.
  size_t moduleCluster(size_t cluster, const std::string& context, const std::string& path) {
    if (!within(path, context) || path == context) return cluster;
    size_t current = cluster;
    for (size_t depth = moduleDepth(context) + 1; depth <= moduleDepth(path); ++depth) {
      const std::string prefix = modulePrefix(path, depth);
      const auto key = std::make_pair(current, prefix);
      auto found = module_clusters_.find(key);
      if (found == module_clusters_.end()) {
        std::string label = prefix;
        if (auto type = options_.module_types.find(prefix); type != options_.module_types.end()) {
          label += " : " + type->second;
        }
        found = module_clusters_
                    .emplace(key, addCluster(current, ClusterKind::kModule,
                                             fmt::format("m{}_{}", clusters_.size(), sanitize(prefix)),
                                             label))
                    .first;
      }
      current = found->second;
    }
    return current;
  }

  static std::string sanitize(std::string text) {
    for (char& c : text) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return text;
  }

  bool isFolded(const GraphNode& node) const {
    return node.outputs.size() == 1 && node.blocks.empty() &&
           folded_.count(node.outputs.front().name) > 0;
  }

  bool collapsed(const std::string& path) const {
    return options_.collapse_depth && moduleDepth(path) >= *options_.collapse_depth;
  }

  // One node per collapsed submodule and enclosing block.
  size_t collapsedModule(size_t cluster, const std::string& context, const std::string& path) {
    const std::string prefix = modulePrefix(path, *options_.collapse_depth);
    const size_t parent_depth = moduleDepth(prefix) - 1;
    const size_t home = moduleCluster(cluster, context, modulePrefix(prefix, parent_depth));
    const auto key = std::make_pair(cluster, prefix);
    if (auto found = collapsed_.find(key); found != collapsed_.end()) return found->second;
    ViewNode node;
    node.id = fmt::format("m{}_{}", view_.nodes.size(), sanitize(prefix));
    node.kind = ViewNodeKind::kModule;
    node.title = prefix;
    if (auto type = options_.module_types.find(prefix); type != options_.module_types.end()) {
      node.details.push_back(type->second);
    }
    node.tooltip = "module " + prefix;
    node.module_path = prefix;
    const size_t index = addNode(home, std::move(node));
    collapsed_.emplace(key, index);
    return index;
  }

  // Maps a node and everything nested in it to one collapsed module node.
  void collapseInto(const GraphNode& node, size_t index) {
    display_[node.id] = index;
    ++collapsed_ops_[index];
    for (const auto& output : node.outputs) value_node_[output.name] = index;
    for (const auto& block : node.blocks) {
      for (const auto& input : block.inputs) value_node_[input.name] = index;
      for (const auto& inner : block.nodes) {
        if (!isFolded(inner)) collapseInto(inner, index);
      }
    }
  }

  ViewNode opNode(const GraphNode& node, ViewNodeKind kind, std::string title) const {
    ViewNode view;
    view.id = fmt::format("n{}", node.id);
    view.kind = kind;
    view.title = std::move(title);
    view.location = shortLocation(node.source.location);
    std::string tooltip = node.text;
    if (!node.schema.empty()) tooltip += "\n" + node.schema;
    if (node.source.location.known()) tooltip += "\n" + node.source.location.str();
    if (const auto& module = module_.at(node.id); !module.empty()) tooltip += "\nmodule " + module;
    view.tooltip = tooltip;
    view.ir = node.text;
    view.schema = node.schema;
    if (node.source.location.known()) view.source = node.source.location.str();
    view.module_path = module_.at(node.id);
    const SourceLocation& user =
        node.source.user_call.known() ? node.source.user_call : node.source.location;
    if (user.known()) view.user_line = fmt::format("{}:{}", user.file, user.line);
    return view;
  }

  void emitBlock(const GraphBlock& block, size_t cluster, const std::string& context) {
    for (const auto& node : block.nodes) {
      if (isFolded(node) || !visible_.count(node.id)) continue;
      const std::string& path = module_.at(node.id);
      if (collapsed(path)) {
        collapseInto(node, collapsedModule(cluster, context, path));
        continue;
      }
      const size_t home = moduleCluster(cluster, context, path);
      if (node.kind == "prim::If" && node.blocks.size() == 2) {
        emitIf(node, home, path);
      } else if (node.kind == "prim::Loop" && node.blocks.size() == 1) {
        emitLoop(node, home, path);
      } else {
        const size_t index = addNode(home, opNode(node, ViewNodeKind::kOp, opTitle(node.kind)));
        display_[node.id] = index;
        for (const auto& output : node.outputs) value_node_[output.name] = index;
        size_t b = 0;
        for (const auto& sub : node.blocks) {
          const size_t inner =
              addCluster(home, ClusterKind::kBlock, fmt::format("n{}_b{}", node.id, b),
                         fmt::format("{} block {}", opTitle(node.kind), b));
          ++b;
          for (const auto& input : sub.inputs) value_node_[input.name] = index;
          emitBlock(sub, inner, path);
        }
      }
    }
  }

  std::string controlLabel(const GraphNode& node, const char* what) const {
    const std::string where = shortLocation(node.source.location);
    return where.empty() ? what : fmt::format("{}  {}", what, where);
  }

  void emitIf(const GraphNode& node, size_t home, const std::string& path) {
    const size_t cluster = addCluster(home, ClusterKind::kIf, fmt::format("n{}", node.id),
                                      controlLabel(node, "if"), node.text);
    control_clusters_[node.id] = cluster;
    const size_t test = addNode(cluster, opNode(node, ViewNodeKind::kCondition, "if"));
    display_[node.id] = test;
    for (size_t side = 0; side < 2; ++side) {
      const char* name = side == 0 ? "then" : "else";
      const size_t branch = addCluster(cluster, ClusterKind::kBranch,
                                       fmt::format("n{}_{}", node.id, name), name);
      const size_t before = view_.nodes.size();
      emitBlock(node.blocks[side], branch, path);
      if (view_.nodes.size() == before) {
        // An empty branch is the picture of a frozen trace's other side:
        // draw it, and route what it returns through it.
        ViewNode empty;
        empty.id = fmt::format("n{}_{}", node.id, name);
        empty.kind = ViewNodeKind::kEmptyBranch;
        empty.title = "no ops";
        empty.tooltip = fmt::format("the {} branch computes nothing: it returns values made "
                                    "before the if",
                                    name);
        empty_branches_[{node.id, side}] = addNode(branch, std::move(empty));
      }
      view_.edges.push_back({test, before, side == 0 ? "true" : "false", EdgeKind::kControl});
    }
    if (!node.outputs.empty()) {
      ViewNode merge = opNode(node, ViewNodeKind::kMerge, "endif");
      merge.id += "_end";
      const size_t index = addNode(cluster, std::move(merge));
      merges_[node.id] = index;
      for (const auto& output : node.outputs) value_node_[output.name] = index;
    }
  }

  void emitLoop(const GraphNode& node, size_t home, const std::string& path) {
    const size_t cluster = addCluster(home, ClusterKind::kLoop, fmt::format("n{}", node.id),
                                      controlLabel(node, "loop"), node.text);
    control_clusters_[node.id] = cluster;
    const size_t header = addNode(cluster, opNode(node, ViewNodeKind::kLoopHeader, "loop"));
    display_[node.id] = header;
    for (const auto& output : node.outputs) value_node_[output.name] = header;
    for (const auto& input : node.blocks[0].inputs) value_node_[input.name] = header;
    emitBlock(node.blocks[0], cluster, path);
  }

  void addGraphInputs() {
    size_t k = 0;
    for (const auto& input : graph_.body.inputs) {
      if (folded_.count(input.name)) continue;
      ViewNode node;
      node.id = fmt::format("in{}", k++);
      node.kind = ViewNodeKind::kInput;
      node.title = input.name;
      node.details.push_back(compactType(input.type));
      node.tooltip = fmt::format("input %{} : {}", input.name, input.type);
      node.ir = node.tooltip;
      value_node_[input.name] = addNode(0, std::move(node));
    }
  }

  void addGraphOutputs() {
    ViewNode node;
    node.id = "out";
    node.kind = ViewNodeKind::kOutput;
    node.title = "return";
    node.tooltip = "the graph's outputs";
    output_node_ = addNode(0, std::move(node));
  }

  // ---- pass 4: edges and folded arguments --------------------------------

  // A folded argument as a label line: "stride=[2, 2]". Nothing when it is
  // the schema's default or an attribute of the node's own module (the
  // weight of layer1.0.conv1 inside the box titled layer1.0.conv1); such
  // lines stay in the tooltip.
  static std::optional<std::string> argumentLine(const std::string& text,
                                                 const std::string& argument,
                                                 const std::string& fallback,
                                                 const std::string& module) {
    if (!fallback.empty() && text == fallback) return std::nullopt;
    if (!module.empty() && startsWith(text, module + ".")) return std::nullopt;
    if (argument.empty() || text == argument) return truncated(text);
    return truncated(argument + "=" + text);
  }

  void use(const std::string& value, size_t to, const std::string& argument,
           EdgeKind kind = EdgeKind::kData, std::string label = "",
           const std::string& fallback = "", const std::string& module = "") {
    if (auto text = folded_.find(value); text != folded_.end()) {
      ViewNode& node = view_.nodes[to];
      if (node.kind == ViewNodeKind::kModule) return;
      arguments_[to] += "\n" + (argument.empty() ? text->second : argument + "=" + text->second);
      if (auto line = argumentLine(text->second, argument, fallback, module)) {
        node.details.push_back(*line);
      }
      return;
    }
    const auto from = value_node_.find(value);
    if (from == value_node_.end() || from->second == to) return;  // hidden, or inside a module
    // Every tensor edge saying "Tensor" is noise: tensors are labelled only
    // when their type carries a shape, other values always ("int", "bool").
    if (label.empty() && type_[value] != "Tensor") label = compactType(type_[value]);
    if (view_.nodes[from->second].kind == ViewNodeKind::kModule ||
        view_.nodes[to].kind == ViewNodeKind::kModule) {
      if (!collapsed_edges_.insert({from->second, to}).second) return;
    }
    view_.edges.push_back({from->second, to, std::move(label), kind});
  }

  void connect(const GraphBlock& block) {
    for (const auto& node : block.nodes) {
      const auto shown = display_.find(node.id);
      if (shown == display_.end()) continue;
      const size_t to = shown->second;
      const bool loop = node.kind == "prim::Loop" && view_.nodes[to].kind == ViewNodeKind::kLoopHeader;
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        std::string argument;
        std::string fallback;
        if (i < node.argument_names.size()) argument = node.argument_names[i];
        if (i < node.argument_defaults.size()) fallback = node.argument_defaults[i];
        if (loop) argument = i == 0 ? "trips" : i == 1 ? "while" : "";
        use(node.inputs[i], to, argument, EdgeKind::kData, "", fallback, module_.at(node.id));
      }
      if (view_.nodes[to].kind == ViewNodeKind::kModule) continue;
      for (size_t side = 0; side < 2 && node.kind == "prim::If"; ++side) {
        const char* name = side == 0 ? "then" : "else";
        const auto merge = merges_.find(node.id);
        const auto empty = empty_branches_.find({node.id, side});
        if (empty != empty_branches_.end()) {
          for (const auto& output : node.blocks[side].outputs) use(output, empty->second, "");
          if (merge != merges_.end()) {
            view_.edges.push_back({empty->second, merge->second, name, EdgeKind::kData});
          }
        } else if (merge != merges_.end()) {
          for (const auto& output : node.blocks[side].outputs) {
            use(output, merge->second, name, EdgeKind::kData, name);
          }
        }
      }
      if (loop) {
        const auto& outputs = node.blocks[0].outputs;
        for (size_t i = 0; i < outputs.size(); ++i) {
          use(outputs[i], to, i == 0 ? "continue" : "", EdgeKind::kLoopBack,
              i == 0 ? "continue" : "next");
        }
      }
      for (const auto& sub : node.blocks) connect(sub);
    }
    if (&block == &graph_.body) {
      for (size_t i = 0; i < block.outputs.size(); ++i) {
        use(block.outputs[i], output_node_, "",  EdgeKind::kData,
            block.outputs.size() > 1 ? fmt::format("[{}] {}", i, compactType(type_[block.outputs[i]]))
                                     : "");
      }
    }
  }

  // ---- highlights ---------------------------------------------------------

  void mark(ViewNode& node, const HighlightSpot& spot) {
    const std::string why = spot.label.empty() ? spot.message : spot.label + ": " + spot.message;
    if (node.highlight.find(why) != std::string::npos) return;
    if (node.highlight.empty()) ++view_.highlighted;
    node.highlight += (node.highlight.empty() ? "" : "\n") + why;
  }

  void highlight() {
    for (const auto& spot : options_.highlights) {
      bool matched = false;
      for (const auto* node : order_) {
        const auto shown = display_.find(node->id);
        if (shown == display_.end() || !fromLine(*node, spot.file, spot.line)) continue;
        matched = true;
        mark(view_.nodes[shown->second], spot);
        if (auto cluster = control_clusters_.find(node->id); cluster != control_clusters_.end()) {
          clusters_[cluster->second].cluster.highlighted = true;
        }
      }
      if (matched) continue;
      ViewNode note;
      note.id = fmt::format("note{}", notes_++);
      note.kind = ViewNodeKind::kNote;
      note.title = fmt::format("{}:{}", baseName(spot.file), spot.line);
      if (!spot.label.empty()) note.details.push_back(spot.label);
      note.details.push_back(truncated(spot.message));
      note.details.push_back("no node of this graph comes from that line");
      note.tooltip = fmt::format("{}:{}\n{}", spot.file, spot.line, spot.message);
      size_t home = 0;
      for (const auto& [key, cluster] : module_clusters_) {
        if (key.second == spot.module) home = cluster;
      }
      const size_t index = addNode(home, std::move(note));
      mark(view_.nodes[index], spot);
    }
  }

  // Around --focus, graph inputs and the return that no drawn edge reaches
  // would float unattached; leave them out.
  void dropUnconnectedEnds() {
    std::set<size_t> touched;
    for (const auto& edge : view_.edges) {
      touched.insert(edge.from);
      touched.insert(edge.to);
    }
    auto& root = clusters_[0].cluster.nodes;
    root.erase(std::remove_if(root.begin(), root.end(),
                              [&](size_t index) {
                                const auto kind = view_.nodes[index].kind;
                                return (kind == ViewNodeKind::kInput ||
                                        kind == ViewNodeKind::kOutput) &&
                                       !touched.count(index);
                              }),
               root.end());
  }

  ViewCluster assemble(size_t index) {
    ViewCluster cluster = std::move(clusters_[index].cluster);
    for (size_t i = index + 1; i < clusters_.size(); ++i) {
      if (clusters_[i].parent != static_cast<int>(index)) continue;
      ViewCluster child = assemble(i);
      // A leaf module of one op (conv1 : Conv2d) adds a frame and no
      // information: its name moves into the op's label instead.
      if (child.kind == ClusterKind::kModule && child.children.empty() &&
          child.nodes.size() == 1 && !child.highlighted) {
        view_.nodes[child.nodes.front()].module = child.label;
        cluster.nodes.push_back(child.nodes.front());
        continue;
      }
      cluster.children.push_back(std::move(child));
    }
    if (cluster.highlighted) ++view_.highlighted;
    return cluster;
  }

  const GraphModel& graph_;
  const GraphViewOptions& options_;
  GraphView view_;

  std::map<std::string, std::string> type_;    // value -> type as printed
  std::map<std::string, std::string> folded_;  // value -> label text
  std::map<std::string, const GraphNode*> producer_;
  std::map<size_t, const GraphNode*> parent_;  // node id -> enclosing if/loop
  std::map<size_t, std::string> module_;       // node id -> submodule path
  std::vector<const GraphNode*> order_;        // drawn-kind nodes, pre-order
  size_t folded_count_ = 0;
  std::set<size_t> visible_;

  std::vector<FlatCluster> clusters_;
  std::map<std::pair<size_t, std::string>, size_t> module_clusters_;
  std::map<std::pair<size_t, std::string>, size_t> collapsed_;
  std::map<size_t, size_t> collapsed_ops_;
  std::set<std::pair<size_t, size_t>> collapsed_edges_;
  std::map<size_t, size_t> display_;          // node id -> view node
  std::map<std::string, size_t> value_node_;  // value -> view node making it
  std::map<size_t, size_t> merges_;           // if node id -> its endif node
  std::map<size_t, std::string> arguments_;   // view node -> folded arguments
  std::map<std::pair<size_t, size_t>, size_t> empty_branches_;  // (if id, side) -> node
  std::map<size_t, size_t> control_clusters_;
  size_t output_node_ = 0;
  size_t notes_ = 0;
};

}  // namespace

GraphView buildGraphView(const GraphModel& graph, const GraphViewOptions& options) {
  return ViewBuilder(graph, options).build();
}

}  // namespace jitscope
