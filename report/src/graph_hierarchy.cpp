// See graph_hierarchy.h. A view is cut into parts (its root and every module
// drawn as a box); each part becomes one small DOT graph in which its own
// boxes, its nested `if`/loop clusters, a placeholder per child module (an
// HTML table whose top cells are input ports and bottom cells output ports)
// and invisible port points (inputs at the top rank, outputs at the bottom)
// are laid out by dot. Parts whose DOT is the same once digits are ignored
// share one run, with the widest label of each slot. The runs are then
// composed top-down: a child's layout is moved into its placeholder's box,
// and each edge of the view is the chain of its segments (out of nested
// modules, across the common ancestor, into nested modules) joined by
// straight pieces.
#include "jitscope/report/graph_hierarchy.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "dot_style.h"
#include "layered_work.h"

namespace jitscope {
namespace {

constexpr double kMargin = 8;     // points between a module's frame and its contents
constexpr double kViewGap = 24;   // points between views drawn side by side
// Runs with more units than this get one round of dot's network simplex
// (nslimit=1): a scripted MultiheadAttention's 700-box interior took 21 s
// with the default and 4.8 s so.
constexpr size_t kBigPart = 300;

std::string withoutDigits(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c < '0' || c > '9') out += c;
  }
  return out;
}

// ---- parts and the segments of each edge -------------------------------

enum class EndKind { kNode, kChildIn, kChildOut, kIn, kOut };

struct End {
  EndKind kind = EndKind::kNode;
  size_t slot = 0;  ///< the node's or the child's slot in the part
  size_t port = 0;
};

std::string endName(const End& end) {
  switch (end.kind) {
    case EndKind::kNode: return fmt::format("\"s{}\"", end.slot);
    case EndKind::kChildIn: return fmt::format("\"c{}\":\"i{}\":n", end.slot, end.port);
    case EndKind::kChildOut: return fmt::format("\"c{}\":\"o{}\":s", end.slot, end.port);
    case EndKind::kIn: return fmt::format("\"pi{}\"", end.port);
    case EndKind::kOut: return fmt::format("\"po{}\"", end.port);
  }
  return "";
}

struct Segment {
  End from;
  End to;
  const ViewEdge* edge = nullptr;  ///< style (and label, when labelled)
  bool labelled = false;           ///< the one segment of a use that shows its label
  bool arrow = false;              ///< ends at the used box
};

struct Part {
  const ViewCluster* cluster = nullptr;
  int parent = -1;
  size_t depth = 0;
  size_t slot_in_parent = 0;
  std::vector<size_t> nodes;                  ///< slot -> view node
  std::vector<const ViewCluster*> clusters;   ///< nested clusters drawn inside
  std::vector<int> children;                  ///< slot -> child part
  std::vector<size_t> inputs, outputs;        ///< port -> the value's producer
  std::map<size_t, size_t> input_of, output_of;
  std::vector<Segment> segments;
  std::map<std::string, size_t> shared;       ///< port segments, one per value
  int group = -1;

  size_t units() const { return nodes.size() + children.size() + inputs.size() + outputs.size(); }

  /// The box an end is on, numbered as the run sees them: the nodes, the
  /// children's boxes, the input ports, the output ports.
  size_t unit(const End& end) const {
    switch (end.kind) {
      case EndKind::kNode: return end.slot;
      case EndKind::kChildIn:
      case EndKind::kChildOut: return nodes.size() + end.slot;
      case EndKind::kIn: return nodes.size() + children.size() + end.port;
      case EndKind::kOut: return nodes.size() + children.size() + inputs.size() + end.port;
    }
    return 0;
  }
};

struct Route {
  std::vector<std::pair<int, size_t>> segments;  ///< (part, segment), tail to head
  size_t labelled = 0;                           ///< index into segments
};

class Hierarchy {
 public:
  Hierarchy(const GraphView& view, std::set<const ViewCluster*> inlined)
      : view_(view), inlined_(std::move(inlined)), owner_(view.nodes.size(), -1),
        slot_(view.nodes.size(), 0) {
    parts_.push_back(Part{});
    parts_[0].cluster = &view.root;
    collect(view.root, 0);
    for (size_t i = 0; i < view.nodes.size(); ++i) {
      if (owner_[i] >= 0) continue;  // not in the cluster tree: the root's
      owner_[i] = 0;
      slot_[i] = parts_[0].nodes.size();
      parts_[0].nodes.push_back(i);
    }
    for (const auto& edge : view.edges) routes_.push_back(route(edge));
  }

  const GraphView& view() const { return view_; }
  std::vector<Part>& parts() { return parts_; }
  const std::vector<Part>& parts() const { return parts_; }
  const std::vector<Route>& routes() const { return routes_; }
  /// The part a module cluster is laid out as; -1 when drawn inline.
  int partOf(const ViewCluster* cluster) const {
    const auto it = part_of_.find(cluster);
    return it == part_of_.end() ? -1 : it->second;
  }
  size_t clusterSlot(const ViewCluster* cluster) const { return cluster_slot_.at(cluster); }
  /// A view node's slot in the part that holds it.
  size_t nodeSlot(size_t node) const { return slot_[node]; }

  /// Child modules whose box is on a cycle of their parent's layout.
  std::vector<const ViewCluster*> cyclicChildren() const {
    std::vector<const ViewCluster*> cyclic;
    for (const auto& part : parts_) {
      // Ports (numbered after the boxes) sit on the first and last ranks:
      // no cycle goes through one.
      const size_t n = part.nodes.size() + part.children.size();
      std::vector<std::vector<size_t>> out(n), in(n);
      for (const auto& segment : part.segments) {
        if (segment.edge->kind == EdgeKind::kLoopBack) continue;
        const size_t from = part.unit(segment.from), to = part.unit(segment.to);
        if (from >= n || to >= n) continue;
        out[from].push_back(to);
        in[to].push_back(from);
      }
      // Peel what has no predecessor, then what has no successor: what is
      // left is on a cycle (or between two).
      std::vector<bool> removed(n, false);
      auto peel = [&](const std::vector<std::vector<size_t>>& forward,
                      const std::vector<std::vector<size_t>>& backward) {
        std::vector<size_t> degree(n, 0), ready;
        for (size_t i = 0; i < n; ++i) {
          if (removed[i]) continue;
          for (size_t j : backward[i]) degree[i] += removed[j] ? 0 : 1;
          if (degree[i] == 0) ready.push_back(i);
        }
        while (!ready.empty()) {
          const size_t at = ready.back();
          ready.pop_back();
          removed[at] = true;
          for (size_t next : forward[at]) {
            if (!removed[next] && --degree[next] == 0) ready.push_back(next);
          }
        }
      };
      peel(out, in);
      peel(in, out);
      for (size_t c = 0; c < part.children.size(); ++c) {
        if (!removed[part.nodes.size() + c]) cyclic.push_back(parts_[part.children[c]].cluster);
      }
    }
    return cyclic;
  }

 private:
  void collect(const ViewCluster& cluster, int part) {
    for (size_t node : cluster.nodes) {
      owner_[node] = part;
      slot_[node] = parts_[part].nodes.size();
      parts_[part].nodes.push_back(node);
    }
    for (const auto& child : cluster.children) {
      if (child.kind == ClusterKind::kModule && inlined_.count(&child) == 0) {
        const int index = static_cast<int>(parts_.size());
        Part next;
        next.cluster = &child;
        next.parent = part;
        next.depth = parts_[part].depth + 1;
        next.slot_in_parent = parts_[part].children.size();
        parts_.push_back(std::move(next));
        parts_[part].children.push_back(index);
        part_of_[&child] = index;
        collect(child, index);
      } else {
        cluster_slot_[&child] = parts_[part].clusters.size();
        parts_[part].clusters.push_back(&child);
        collect(child, part);
      }
    }
  }

  size_t port(int part, size_t source, bool input) {
    Part& p = parts_[part];
    auto& of = input ? p.input_of : p.output_of;
    auto& list = input ? p.inputs : p.outputs;
    const auto [it, added] = of.emplace(source, list.size());
    if (added) list.push_back(source);
    return it->second;
  }

  size_t segment(int part, const End& from, const End& to, const ViewEdge& edge, bool per_use,
                 bool labelled, bool arrow) {
    Part& p = parts_[part];
    std::string key;
    if (!per_use) {
      key = endName(from) + ">" + endName(to);
      if (const auto it = p.shared.find(key); it != p.shared.end()) return it->second;
    }
    p.segments.push_back({from, to, &edge, labelled, arrow});
    if (!per_use) p.shared.emplace(key, p.segments.size() - 1);
    return p.segments.size() - 1;
  }

  Route route(const ViewEdge& edge) {
    const size_t a = edge.from, b = edge.to;
    const int pa = owner_[a], pb = owner_[b];
    int x = pa, y = pb;
    while (parts_[x].depth > parts_[y].depth) x = parts_[x].parent;
    while (parts_[y].depth > parts_[x].depth) y = parts_[y].parent;
    while (x != y) {
      x = parts_[x].parent;
      y = parts_[y].parent;
    }
    const int common = x;
    Route route;
    // Out of the modules around the producer, one shared segment each.
    End from{EndKind::kNode, slot_[a], 0};
    for (int p = pa; p != common; p = parts_[p].parent) {
      const size_t out = port(p, a, /*input=*/false);
      route.segments.emplace_back(p, segment(p, from, {EndKind::kOut, 0, out}, edge, false, false, false));
      from = {EndKind::kChildOut, parts_[p].slot_in_parent, out};
    }
    std::vector<int> down;  // the modules around the user, innermost first
    for (int q = pb; q != common; q = parts_[q].parent) down.push_back(q);
    auto entry = [&](size_t j) -> End {
      return {EndKind::kChildIn, parts_[down[j]].slot_in_parent, port(down[j], a, /*input=*/true)};
    };
    const End across = down.empty() ? End{EndKind::kNode, slot_[b], 0} : entry(down.size() - 1);
    route.labelled = route.segments.size();
    // Per use only where it ends at the user: into a module, every use of
    // the value crosses at the same port, drawn once.
    route.segments.emplace_back(common, segment(common, from, across, edge, down.empty(), true, down.empty()));
    // Into the modules around the user; the last segment is this use's own.
    for (size_t j = down.size(); j-- > 0;) {
      const int q = down[j];
      const End in{EndKind::kIn, 0, port(q, a, /*input=*/true)};
      const bool last = j == 0;
      const End next = last ? End{EndKind::kNode, slot_[b], 0} : entry(j - 1);
      route.segments.emplace_back(q, segment(q, in, next, edge, last, false, last));
    }
    return route;
  }

  const GraphView& view_;
  std::set<const ViewCluster*> inlined_;
  std::vector<Part> parts_;
  std::vector<int> owner_;
  std::vector<size_t> slot_;
  std::map<const ViewCluster*, int> part_of_;
  std::map<const ViewCluster*, size_t> cluster_slot_;
  std::vector<Route> routes_;
};

std::unique_ptr<Hierarchy> buildHierarchy(const GraphView& view, size_t* inlined_count) {
  std::set<const ViewCluster*> inlined;
  for (;;) {
    auto hierarchy = std::make_unique<Hierarchy>(view, inlined);
    const auto cyclic = hierarchy->cyclicChildren();
    if (cyclic.empty()) {
      if (inlined_count != nullptr) *inlined_count += inlined.size();
      return hierarchy;
    }
    inlined.insert(cyclic.begin(), cyclic.end());
  }
}

// ---- identical parts ------------------------------------------------------

struct Member {
  Hierarchy* hierarchy;
  int part;
};

struct Group {
  std::vector<Member> members;
  DotLayout layout;
  double width = 0, height = 0;  ///< the frame: layout plus margins, points
};

// One edge's look in a part's run: a segment shows the label only where it
// is the use's own crossing.
ViewEdge segmentStyle(const Segment& segment, const std::string& label) {
  ViewEdge style = *segment.edge;
  style.label = segment.labelled ? label : "";
  return style;
}

class Catalog {
 public:
  /// Files the part under its structure (its children must be filed).
  void file(Hierarchy& hierarchy, int index) {
    Part& part = hierarchy.parts()[index];
    std::string key = withoutDigits(title(hierarchy, part));
    key += '|';
    structure(hierarchy, part, *part.cluster, key);
    for (const auto& segment : part.segments) {
      key += endName(segment.from) + ">" + endName(segment.to) + "|" +
             withoutDigits(dot::edgeAttributes(segmentStyle(segment, segment.edge->label))) +
             (segment.arrow ? "" : "-") + ";";
    }
    key += fmt::format("I{}O{}", part.inputs.size(), part.outputs.size());
    const auto [it, added] = index_.emplace(std::move(key), groups_.size());
    if (added) groups_.emplace_back();
    part.group = static_cast<int>(it->second);
    groups_[it->second].members.push_back({&hierarchy, index});
  }

  std::vector<Group>& groups() { return groups_; }

  /// The part's title: the view's for a root, the module's otherwise.
  static std::string title(const Hierarchy& hierarchy, const Part& part) {
    return part.parent < 0 ? hierarchy.view().title : part.cluster->label;
  }

 private:
  void structure(const Hierarchy& hierarchy, const Part& part, const ViewCluster& cluster,
                 std::string& key) const {
    const auto& nodes = hierarchy.view().nodes;
    for (size_t node : cluster.nodes) {
      key += "N" + withoutDigits(dot::boxStyle(nodes[node]) + dot::nodeLabel(nodes[node])) + ";";
    }
    for (const auto& child : cluster.children) {
      const int child_part = hierarchy.partOf(&child);
      if (child_part >= 0) {
        const Part& p = hierarchy.parts()[child_part];
        key += fmt::format("M{},{},{};", p.group, p.inputs.size(), p.outputs.size());
      } else {
        key += "C" + withoutDigits(dot::frameStyle(child) + child.label) + "{";
        structure(hierarchy, part, child, key);
        key += "}";
      }
    }
  }

  std::map<std::string, size_t> index_;
  std::vector<Group> groups_;
};

// ---- one run per group ----------------------------------------------------

template <typename Text>
std::string widest(const Group& group, Text text) {
  std::string best;
  for (const auto& member : group.members) {
    std::string candidate = text(*member.hierarchy, member.hierarchy->parts()[member.part]);
    if (candidate.size() > best.size()) best = std::move(candidate);
  }
  return best;
}

// A row of port cells along the placeholder's top or bottom, each under
// (or over) where the child's layout put that port's point, so the piece
// joining the parent's curve to the child's is short and nearly straight.
std::string portRow(char side, size_t count, int width, const Group& child) {
  if (count == 0) return "";
  const char* prefix = side == 'i' ? "pi" : "po";
  std::vector<std::pair<double, size_t>> order;  // x within the frame, port
  for (size_t k = 0; k < count; ++k) {
    const auto it = child.layout.nodes.find(fmt::format("{}{}", prefix, k));
    const double x = it == child.layout.nodes.end()
                         ? (k + 0.5) * width / count
                         : it->second.center.x - child.layout.box.x0 + kMargin;
    order.emplace_back(x, k);
  }
  std::sort(order.begin(), order.end());
  std::string cells;
  int left = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    const int right = i + 1 == order.size()
                          ? width
                          : static_cast<int>(std::lround((order[i].first + order[i + 1].first) / 2));
    const int cell = std::max(1, std::min(right, width) - left);
    cells += fmt::format("<TD PORT=\"{}{}\" WIDTH=\"{}\" HEIGHT=\"1\" FIXEDSIZE=\"TRUE\"></TD>", side,
                         order[i].second, cell);
    left += cell;
  }
  return "<TR><TD><TABLE BORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"0\"><TR>" + cells +
         "</TR></TABLE></TD></TR>";
}

class PartWriter {
 public:
  PartWriter(const Group& group, const std::vector<Group>& groups) : group_(group), groups_(groups) {
    const Member& first = group.members.front();
    hierarchy_ = first.hierarchy;
    part_ = &hierarchy_->parts()[first.part];
  }

  std::string dot() {
    out_ = "digraph part {\n";
    out_ += dot::kDefaults;
    if (part_->units() > kBigPart) out_ += "  nslimit=1;\n";
    const std::string title = widest(group_, Catalog::title);
    if (!title.empty()) out_ += "  label=" + dot::quoted(title) + ";\n";
    contents(*part_->cluster, 2);
    ports(part_->inputs.size(), "pi", "min");
    ports(part_->outputs.size(), "po", "max");
    for (size_t s = 0; s < part_->segments.size(); ++s) {
      const Segment& segment = part_->segments[s];
      const std::string label = segment.labelled ? widest(group_, [&](const Hierarchy&, const Part& p) {
        return p.segments[s].edge->label;
      }) : "";
      std::string attributes = dot::edgeAttributes(segmentStyle(segment, label));
      attributes += (attributes.empty() ? "" : ", ") + fmt::format("id=\"g{}\"", s);
      if (!segment.arrow) attributes += ", arrowhead=none";
      out_ += fmt::format("  {} -> {} [{}];\n", endName(segment.from), endName(segment.to), attributes);
    }
    return out_ + "}\n";
  }

 private:
  void contents(const ViewCluster& cluster, int indent) {
    const auto& nodes = hierarchy_->view().nodes;
    for (size_t node : cluster.nodes) {
      const size_t slot = hierarchy_->nodeSlot(node);
      const std::string label = widest(group_, [&](const Hierarchy& h, const Part& p) {
        return dot::nodeLabel(h.view().nodes[p.nodes[slot]]);
      });
      out_ += fmt::format("{:{}}\"s{}\" [label={}, {}];\n", "", indent, slot, label, dot::boxStyle(nodes[node]));
    }
    for (const auto& child : cluster.children) {
      const int child_part = hierarchy_->partOf(&child);
      if (child_part >= 0) {
        placeholder(hierarchy_->parts()[child_part], indent);
        continue;
      }
      const size_t slot = hierarchy_->clusterSlot(&child);
      const std::string label = widest(group_, [&](const Hierarchy&, const Part& p) { return p.clusters[slot]->label; });
      out_ += fmt::format("{:{}}subgraph \"cluster_k{}\" {{\n", "", indent, slot);
      out_ += fmt::format("{:{}}label={}; {}\n", "", indent + 2, dot::quoted(label), dot::frameStyle(child));
      contents(child, indent + 2);
      out_ += fmt::format("{:{}}}}\n", "", indent);
    }
  }

  void placeholder(const Part& child, int indent) {
    const Group& inner = groups_[child.group];
    const int width = static_cast<int>(std::ceil(inner.width));
    const int height = static_cast<int>(std::ceil(inner.height));
    const size_t rows = (child.inputs.empty() ? 0 : 1) + (child.outputs.empty() ? 0 : 1);
    out_ += fmt::format(
        "{:{}}\"c{}\" [shape=plaintext, margin=0, width=0, height=0, label=<<TABLE BORDER=\"0\" "
        "CELLBORDER=\"0\" CELLSPACING=\"0\" CELLPADDING=\"0\">{}<TR><TD WIDTH=\"{}\" HEIGHT=\"{}\" "
        "FIXEDSIZE=\"TRUE\"></TD></TR>{}</TABLE>>];\n",
        "", indent, child.slot_in_parent, portRow('i', child.inputs.size(), width, inner), width,
        std::max<int>(1, height - static_cast<int>(rows)), portRow('o', child.outputs.size(), width, inner));
  }

  void ports(size_t count, const char* prefix, const char* rank) {
    if (count == 0) return;
    std::string same = fmt::format("  {{rank={};", rank);
    for (size_t k = 0; k < count; ++k) {
      out_ += fmt::format("  \"{}{}\" [shape=point, style=invis, width=0.02, height=0.02, label=\"\"];\n",
                          prefix, k);
      same += fmt::format(" \"{}{}\";", prefix, k);
    }
    out_ += same + "}\n";
  }

  const Group& group_;
  const std::vector<Group>& groups_;
  Hierarchy* hierarchy_ = nullptr;
  const Part* part_ = nullptr;
  std::string out_;
};

// ---- composing the runs ---------------------------------------------------

LayoutPoint moved(LayoutPoint p, double dx, double dy) { return {p.x + dx, p.y + dy}; }

LayoutBox moved(const LayoutBox& box, double dx, double dy) {
  return {box.x0 + dx, box.y0 + dy, box.x1 + dx, box.y1 + dy};
}

EdgePlacement moved(const EdgePlacement& edge, double dx, double dy) {
  EdgePlacement out;
  for (const auto& p : edge.curve) out.curve.push_back(moved(p, dx, dy));
  if (edge.head) out.head = moved(*edge.head, dx, dy);
  if (edge.label) out.label = moved(*edge.label, dx, dy);
  return out;
}

class Composer {
 public:
  Composer(std::vector<Group>& groups, DrawingPlacement& out) : groups_(groups), out_(out) {}

  /// Places part `index` with its frame's lower left at `origin`; returns
  /// the curves of its segments and its descendants', by part.
  void place(const Hierarchy& hierarchy, int index, LayoutPoint origin,
             std::vector<std::vector<EdgePlacement>>& curves) {
    const Part& part = hierarchy.parts()[index];
    const Group& group = groups_[part.group];
    const DotLayout& layout = group.layout;
    const double dx = origin.x + kMargin - layout.box.x0;
    const double dy = origin.y + kMargin - layout.box.y0;
    const auto& nodes = hierarchy.view().nodes;
    for (size_t s = 0; s < part.nodes.size(); ++s) {
      const auto it = layout.nodes.find(fmt::format("s{}", s));
      if (it == layout.nodes.end()) continue;
      NodePlacement placed = it->second;
      placed.center = moved(placed.center, dx, dy);
      out_.nodes[nodes[part.nodes[s]].id] = placed;
    }
    for (size_t k = 0; k < part.clusters.size(); ++k) {
      const auto it = layout.clusters.find(fmt::format("cluster_k{}", k));
      if (it == layout.clusters.end()) continue;
      ClusterPlacement placed{moved(it->second.box, dx, dy), std::nullopt};
      if (it->second.label) placed.label = moved(*it->second.label, dx, dy);
      out_.clusters[part.clusters[k]->id] = placed;
    }
    ClusterPlacement frame{{origin.x, origin.y, origin.x + group.width, origin.y + group.height}, std::nullopt};
    if (layout.label) frame.label = moved(*layout.label, dx, dy);
    frames_[{&hierarchy, index}] = frame;
    curves[index].clear();
    for (size_t s = 0; s < part.segments.size(); ++s) {
      const auto it = layout.edges.find(fmt::format("g{}", s));
      curves[index].push_back(it == layout.edges.end() ? EdgePlacement{} : moved(it->second, dx, dy));
    }
    for (size_t c = 0; c < part.children.size(); ++c) {
      const int child = part.children[c];
      const Group& inner = groups_[hierarchy.parts()[child].group];
      const auto it = layout.nodes.find(fmt::format("c{}", c));
      if (it == layout.nodes.end()) continue;
      const LayoutPoint center = moved(it->second.center, dx, dy);
      place(hierarchy, child, {center.x - inner.width / 2, center.y - inner.height / 2}, curves);
      out_.clusters[hierarchy.parts()[child].cluster->id] = frames_.at({&hierarchy, child});
    }
  }

  const ClusterPlacement& frame(const Hierarchy& hierarchy, int index) const {
    return frames_.at({&hierarchy, index});
  }

 private:
  std::vector<Group>& groups_;
  DrawingPlacement& out_;
  std::map<std::pair<const Hierarchy*, int>, ClusterPlacement> frames_;
};

// The chain of a use's segments as one curve: each gap (a port crossed)
// bridged by a straight cubic piece.
EdgePlacement joined(const Route& route, const std::vector<std::vector<EdgePlacement>>& curves,
                     const DrawingPlacement& placement, const ViewNode& from, const ViewNode& to) {
  EdgePlacement out;
  for (size_t i = 0; i < route.segments.size(); ++i) {
    const auto& [part, segment] = route.segments[i];
    const EdgePlacement& piece = curves[part][segment];
    if (piece.curve.empty()) continue;
    if (!out.curve.empty()) {
      const LayoutPoint p = out.curve.back(), q = piece.curve.front();
      out.curve.push_back({p.x + (q.x - p.x) / 3, p.y + (q.y - p.y) / 3});
      out.curve.push_back({p.x + 2 * (q.x - p.x) / 3, p.y + 2 * (q.y - p.y) / 3});
    }
    out.curve.insert(out.curve.end(), piece.curve.begin(), piece.curve.end());
    if (i + 1 == route.segments.size()) out.head = piece.head;
    if (i == route.labelled) out.label = piece.label;
  }
  if (out.curve.empty()) {
    const auto a = placement.nodes.find(from.id), b = placement.nodes.find(to.id);
    if (a == placement.nodes.end() || b == placement.nodes.end()) return out;
    const LayoutPoint p = a->second.center, q = b->second.center;
    out.curve = {p, {p.x + (q.x - p.x) / 3, p.y + (q.y - p.y) / 3},
                 {p.x + 2 * (q.x - p.x) / 3, p.y + 2 * (q.y - p.y) / 3}, q};
  }
  return out;
}

}  // namespace

DrawingPlacement layOutHierarchically(const std::vector<GraphView>& views,
                                      const DotLayoutEngine& engine, HierarchyStats* stats) {
  HierarchyStats counted;
  std::vector<std::unique_ptr<Hierarchy>> hierarchies;
  Catalog catalog;
  for (const auto& view : views) {
    hierarchies.push_back(buildHierarchy(view, &counted.inlined));
    Hierarchy& hierarchy = *hierarchies.back();
    // Children before parents: a part's key names its children's groups.
    for (size_t i = hierarchy.parts().size(); i-- > 0;) catalog.file(hierarchy, static_cast<int>(i));
    counted.parts += hierarchy.parts().size();
  }
  std::vector<Group>& groups = catalog.groups();
  // Groups are numbered as filed, so a group's children come before it.
  for (auto& group : groups) {
    PartWriter writer(group, groups);
    group.layout = engine(writer.dot());
    group.width = group.layout.box.width() + 2 * kMargin;
    group.height = group.layout.box.height() + 2 * kMargin;
    const Member& first = group.members.front();
    counted.largest = std::max(counted.largest, first.hierarchy->parts()[first.part].units());
  }
  counted.layouts = groups.size();

  DrawingPlacement placement;
  Composer composer(groups, placement);
  double top = 0;
  for (const auto& hierarchy : hierarchies) top = std::max(top, groups[hierarchy->parts()[0].group].height);
  double x = 0;
  for (size_t v = 0; v < views.size(); ++v) {
    const Hierarchy& hierarchy = *hierarchies[v];
    const Group& root = groups[hierarchy.parts()[0].group];
    std::vector<std::vector<EdgePlacement>> curves(hierarchy.parts().size());
    composer.place(hierarchy, 0, {x, top - root.height}, curves);
    if (views.size() > 1) {
      placement.clusters[views[v].root.id] = composer.frame(hierarchy, 0);
    } else {
      placement.label = composer.frame(hierarchy, 0).label;
    }
    std::vector<EdgePlacement> edges;
    for (size_t e = 0; e < views[v].edges.size(); ++e) {
      const ViewEdge& edge = views[v].edges[e];
      edges.push_back(joined(hierarchy.routes()[e], curves, placement, views[v].nodes[edge.from],
                             views[v].nodes[edge.to]));
    }
    placement.edges.push_back(std::move(edges));
    x += root.width + kViewGap;
  }
  placement.box = {0, 0, std::max(0.0, x - kViewGap), top};
  if (stats != nullptr) *stats = counted;
  return placement;
}

size_t hierarchicalLayoutWork(const GraphView& view) {
  auto hierarchy = buildHierarchy(view, nullptr);
  Catalog catalog;
  for (size_t i = hierarchy->parts().size(); i-- > 0;) catalog.file(*hierarchy, static_cast<int>(i));
  size_t work = 0;
  for (const auto& group : catalog.groups()) {
    const Member& first = group.members.front();
    const Part& part = first.hierarchy->parts()[first.part];
    std::vector<std::pair<size_t, size_t>> edges;
    for (const auto& segment : part.segments) {
      if (segment.edge->kind != EdgeKind::kLoopBack) edges.emplace_back(part.unit(segment.from), part.unit(segment.to));
    }
    work += layeredWork(part.units(), edges);
  }
  return work;
}

}  // namespace jitscope
