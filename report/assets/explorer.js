// The graph explorer's script: the page of `jitscope graph --format html`,
// and the graph section of `jitscope report` and `ci --report-dir` pages.
//
// The page carries the views of report/src/graph_explorer.cpp as JSON
// (#jx-data, inside the explorer's element .jx): per view its boxes, edges
// and cluster tree (modules, `if`s, branches, loops). This script keeps, per
// view, the set of collapsed clusters, builds the visible graph (a collapsed
// cluster is one box; edges into it are redirected to it and drawn once),
// lays it out with dagre (third_party/dagre, embedded before this script)
// and draws it as SVG. Every expand or collapse lays the visible graph out
// again. One explorer per page: its elements have jx- ids. Embedded in a
// longer page (.jx-embedded, the report) the wheel scrolls the page and
// zooms the graph only with Ctrl (or a trackpad pinch).
// window.jitscopeExplorer exposes the state and timings for tests and
// bench/explorer_bench.js.
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var started = performance.now();
  var data = JSON.parse(document.getElementById('jx-data').textContent);
  var panesEl = document.getElementById('jx-panes');
  var panel = document.getElementById('jx-panel');
  var panelBody = document.getElementById('jx-panel-body');
  var searchBox = document.getElementById('jx-search');
  var searchStatus = document.getElementById('jx-search-status');
  var root = document.querySelector('.jx');
  var embedded = root.classList.contains('jx-embedded');
  var stats = {loadMs: 0, layouts: [], lastToggleMs: 0};

  // ---- text measuring ------------------------------------------------------
  var canvas = document.createElement('canvas').getContext('2d');
  var widths = new Map();
  function textWidth(text, font) {
    var key = font + '\u0000' + text;
    var w = widths.get(key);
    if (w === undefined) {
      canvas.font = font;
      w = canvas.measureText(text).width;
      widths.set(key, w);
    }
    return w;
  }
  var FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif';
  var TITLE_FONT = '600 11px ' + FONT_FAMILY;
  var SMALL_FONT = '9.5px ' + FONT_FAMILY;
  var TITLE_LINE = 14, SMALL_LINE = 12, PAD_X = 8, PAD_Y = 5;

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function html(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  // ---- one pane per view -----------------------------------------------------
  function Pane(view, index) {
    this.view = view;
    this.index = index;
    this.nodes = view.nodes;
    this.edges = view.edges;
    this.clusters = new Map();     // id -> {c, parent, depth, moduleDepth, count}
    this.nodeCluster = new Array(view.nodes.length);
    this.collapsed = new Set();
    this.selected = new Set();     // node indices
    this.synced = new Set();       // node indices selected from the other pane
    this.matches = new Set();      // search matches
    this.t = {x: 0, y: 0, k: 1};
    this.boxes = new Map();        // layout key -> {x, y, width, height}
    this.index_clusters(view.root, null, 0, 0);
    this.indexEdges();
    this.build_dom();
  }

  Pane.prototype.index_clusters = function (c, parent, depth, moduleDepth) {
    var md = moduleDepth + (c.kind === 'module' ? 1 : 0);
    var info = {c: c, parent: parent, depth: depth, moduleDepth: md, count: 0, highlighted: !!c.highlighted};
    this.clusters.set(c.id, info);
    for (var i = 0; i < c.nodes.length; i++) this.nodeCluster[c.nodes[i]] = c.id;
    var count = c.nodes.length;
    for (var h = 0; h < c.nodes.length; h++) if (this.view.nodes[c.nodes[h]].highlight) info.highlighted = true;
    for (var j = 0; j < c.children.length; j++) {
      count += this.index_clusters(c.children[j], c.id, depth + 1, md);
      if (this.clusters.get(c.children[j].id).highlighted) info.highlighted = true;
    }
    info.count = count;
    return count;
  };

  Pane.prototype.ancestors = function (clusterId) {  // innermost first
    var out = [];
    for (var id = clusterId; id !== null && id !== undefined; id = this.clusters.get(id).parent) out.push(id);
    return out;
  };

  // Modules `depth` deep and deeper start collapsed; with `control`, so do
  // `if`s and loops that deep in the cluster tree.
  Pane.prototype.collapseTo = function (depth, control) {
    this.collapsed.clear();
    this.cache.clear();
    var self = this;
    this.clusters.forEach(function (info, id) {
      if (info.depth === 0) return;
      var kind = info.c.kind;
      if ((kind === 'module' && info.moduleDepth >= depth) ||
          (control && (kind === 'if' || kind === 'loop' || kind === 'block') && info.depth >= depth)) {
        self.collapsed.add(id);
      }
    });
  };

  Pane.prototype.build_dom = function () {
    var pane = html('div', undefined, 'pane');
    pane.setAttribute('data-pane', String(this.index));
    var title = html('div', this.view.title, 'pane-title');
    this.countEl = html('span', '', 'count');
    title.appendChild(this.countEl);
    pane.appendChild(title);
    var svg = el('svg', {'class': 'graph'});
    var defs = el('defs', null, svg);
    var marker = el('marker', {id: 'jx-arrow' + this.index, viewBox: '0 0 10 10', refX: '9', refY: '5',
                               markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse'}, defs);
    el('path', {d: 'M0,0 L10,5 L0,10 z', fill: '#7b7b7b'}, marker);
    this.viewport = el('g', {'class': 'viewport'}, svg);
    pane.appendChild(svg);
    panesEl.appendChild(pane);
    this.svg = svg;
    this.el = pane;
    this.panZoom();
  };

  // Visible box of every node: itself, or the outermost collapsed cluster
  // around it.
  Pane.prototype.representatives = function () {
    var rep = new Array(this.nodes.length);
    var self = this;
    (function walk(c, outer) {
      var r = outer || (c.kind !== 'root' && self.collapsed.has(c.id) ? 'c:' + c.id : null);
      for (var i = 0; i < c.nodes.length; i++) rep[c.nodes[i]] = r || 'n:' + c.nodes[i];
      for (var j = 0; j < c.children.length; j++) walk(c.children[j], r);
    })(this.view.root, null);
    return rep;
  };

  function nodeLines(node) {
    var lines = [];
    if (node.module) lines.push({text: node.module, cls: 'small module'});
    lines.push({text: node.title, cls: 'title'});
    (node.details || []).forEach(function (d) { lines.push({text: d, cls: 'small detail'}); });
    if (node.location) lines.push({text: node.location, cls: 'small loc'});
    return lines;
  }

  function foldedLines(c, count) {
    var lines = [{text: c.label || c.kind, cls: 'title'}];
    lines.push({text: count + (count === 1 ? ' box' : ' boxes') + ' \u25b8 click to open', cls: 'small detail'});
    return lines;
  }

  function sizeOf(lines, kind) {
    var w = 0, h = 2 * PAD_Y;
    lines.forEach(function (l) {
      var small = l.cls.indexOf('small') >= 0;
      w = Math.max(w, textWidth(l.text, small ? SMALL_FONT : TITLE_FONT));
      h += small ? SMALL_LINE : TITLE_LINE;
    });
    w += 2 * PAD_X;
    if (kind === 'condition') { w = w * 1.5 + 10; h = h * 1.5; }
    if (kind === 'loop' || kind === 'merge') { w += 24; }
    return {width: Math.ceil(Math.max(w, 36)), height: Math.ceil(h)};
  }

  // ---- layout ----------------------------------------------------------------
  // Hierarchical: each open cluster's interior is laid out on its own, as a
  // flat graph in which every child cluster is one box of the size of its
  // own layout, and the layouts are composed. Edges are laid out at the
  // cluster where their ends meet (their lowest common cluster). A toggle
  // lays out again only the toggled cluster and the clusters around it; the
  // others come from the cache.
  var LABEL_BAND = 18;

  // Per node, the cluster ids from the root to its own; per edge, the
  // cluster where its ends meet.
  Pane.prototype.indexEdges = function () {
    var self = this;
    this.chain = new Array(this.nodes.length);
    (function walk(c, chain) {
      var mine = chain.concat([c.id]);
      for (var i = 0; i < c.nodes.length; i++) self.chain[c.nodes[i]] = mine;
      for (var j = 0; j < c.children.length; j++) walk(c.children[j], mine);
    })(this.view.root, []);
    this.edgesAt = new Map();
    this.leaving = new Map();
    this.entering = new Map();
    function push(map, key, value) {
      if (!map.has(key)) map.set(key, []);
      map.get(key).push(value);
    }
    this.edges.forEach(function (e, index) {
      var a = self.chain[e[0]], b = self.chain[e[1]];
      var d = 0;
      while (d + 1 < a.length && d + 1 < b.length && a[d + 1] === b[d + 1]) d++;
      var at = a[d];
      if (!self.edgesAt.has(at)) self.edgesAt.set(at, []);
      self.edgesAt.get(at).push(index);
      // The clusters the edge leaves and enters on its way.
      for (var i = d + 1; i < a.length; i++) push(self.leaving, a[i], index);
      for (var j = d + 1; j < b.length; j++) push(self.entering, b[j], index);
    });
    this.cache = new Map();
  };

  // The box that stands for node n inside cluster c (at depth d): the node
  // itself, or the child cluster that holds it (folded or open).
  Pane.prototype.itemOf = function (n, depth) {
    var chain = this.chain[n];
    if (chain.length <= depth + 1) return 'n:' + n;
    var child = chain[depth + 1];
    return (this.collapsed.has(child) ? 'c:' : 'k:') + child;
  };

  Pane.prototype.invalidate = function (clusterId) {
    var self = this;
    this.ancestors(clusterId).forEach(function (id) { self.cache.delete(id); });
  };

  Pane.prototype.layoutCluster = function (c) {
    var cached = this.cache.get(c.id);
    if (cached) return cached;
    var self = this, info = this.clusters.get(c.id);
    var g = new dagre.graphlib.Graph({multigraph: false});
    g.setGraph({rankdir: 'TB', nodesep: 16, ranksep: 22, edgesep: 8, marginx: 8, marginy: 8});
    g.setDefaultEdgeLabel(function () { return {}; });
    var items = [];
    c.nodes.forEach(function (n) {
      var node = self.nodes[n];
      var lines = nodeLines(node);
      var size = sizeOf(lines, node.kind);
      g.setNode('n:' + n, size);
      items.push({key: 'n:' + n, type: 'node', n: n, lines: lines});
    });
    c.children.forEach(function (child) {
      var cinfo = self.clusters.get(child.id);
      if (self.collapsed.has(child.id) || cinfo.count === 0) {
        var lines = foldedLines(child, cinfo.count);
        var size = sizeOf(lines, 'folded');
        g.setNode('c:' + child.id, {width: size.width + 6, height: size.height + 6});
        items.push({key: 'c:' + child.id, type: 'folded', c: child, lines: lines});
      } else {
        var sub = self.layoutCluster(child);
        g.setNode('k:' + child.id, {width: sub.width, height: sub.height});
        items.push({key: 'k:' + child.id, type: 'cluster', c: child, sub: sub});
      }
    });
    var seen = new Set();
    (this.edgesAt.get(c.id) || []).forEach(function (index) {
      var e = self.edges[index];
      var a = self.itemOf(e[0], info.depth), b = self.itemOf(e[1], info.depth);
      if (a === b || seen.has(a + '>' + b)) return;
      seen.add(a + '>' + b);
      // A loop's back edge runs against the flow: it must not pull the
      // body's order around.
      g.setEdge(a, b, {minlen: 1, weight: e[3] === 'back' ? 0 : 1});
    });
    // Edges that cross the frame end at ports, pulled to the top (into the
    // cluster) or the bottom (out of it), so that inside the frame they are
    // routed around the boxes like any other edge.
    if (c.kind !== 'root') {
      var sources = g.nodes().filter(function (k) { return !(g.inEdges(k) || []).length; });
      var sinks = g.nodes().filter(function (k) { return !(g.outEdges(k) || []).length; });
      var ports = function (list, end, incoming) {
        var made = false;
        (list || []).forEach(function (index) {
          var e = self.edges[index];
          var item = self.itemOf(incoming ? e[1] : e[0], info.depth);
          var port = (incoming ? 'pin:' : 'pout:') + item;
          if (g.hasNode(port)) return;
          if (!made) { g.setNode(end, {width: 1, height: 1}); made = true; }
          g.setNode(port, {width: 1, height: 1});
          if (incoming) { g.setEdge(end, port, {minlen: 1, weight: 10}); g.setEdge(port, item, {minlen: 1, weight: 1}); }
          else { g.setEdge(port, end, {minlen: 1, weight: 10}); g.setEdge(item, port, {minlen: 1, weight: 1}); }
        });
        if (made) {
          (incoming ? sources : sinks).forEach(function (k) {
            if (incoming) g.setEdge(end, k, {minlen: 1, weight: 0}); else g.setEdge(k, end, {minlen: 1, weight: 0});
          });
        }
      };
      ports(this.entering.get(c.id), '^top', true);
      ports(this.leaving.get(c.id), '^bottom', false);
    }
    dagre.layout(g);
    var gg = g.graph();
    var band = c.kind === 'root' ? 0 : LABEL_BAND;
    var labelWidth = c.kind === 'root' ? 0 : textWidth('\u25be ' + c.label, SMALL_FONT) + 16;
    var result = {g: g, items: items, band: band,
                  width: Math.ceil(Math.max(gg.width || 40, labelWidth)), height: Math.ceil((gg.height || 30) + band),
                  inner: gg.width || 40};
    this.cache.set(c.id, result);
    return result;
  };

  Pane.prototype.layout = function () {
    var t0 = performance.now();
    var self = this;
    var root = this.layoutCluster(this.view.root);
    var boxes = new Map(), placed = [], levelPoints = new Map();
    (function place(c, lay, ox, oy) {
      var dx = ox + (lay.width - lay.inner) / 2, dy = oy + lay.band;
      lay.items.forEach(function (item) {
        var b = lay.g.node(item.key);
        var box = {x: dx + b.x, y: dy + b.y, width: b.width, height: b.height};
        boxes.set(item.key, box);
        placed.push({item: item, box: box});
        if (item.type === 'cluster') place(item.c, item.sub, box.x - box.width / 2, box.y - box.height / 2);
      });
      var points = new Map();
      lay.g.edges().forEach(function (e) {
        points.set(e.v + '>' + e.w, (lay.g.edge(e).points || []).map(function (p) { return {x: dx + p.x, y: dy + p.y}; }));
      });
      levelPoints.set(c.id, points);
    })(this.view.root, root, 0, 0);

    // One drawn edge per pair of visible boxes: the path laid out where its
    // ends meet, extended to the boxes inside open clusters.
    var rep = this.representatives();
    var drawn = new Map();
    this.edges.forEach(function (e) {
      var ru = rep[e[0]], rv = rep[e[1]];
      if (ru === rv) return;
      var key = ru + '>' + rv;
      if (drawn.has(key)) return;
      var a = self.chain[e[0]], b = self.chain[e[1]];
      var d = 0;
      while (d + 1 < a.length && d + 1 < b.length && a[d + 1] === b[d + 1]) d++;
      var at = a[d], depth = self.clusters.get(at).depth;
      var ia = self.itemOf(e[0], depth), ib = self.itemOf(e[1], depth);
      var level = levelPoints.get(at);
      var mid = level && level.get(ia + '>' + ib);
      if (!mid) return;  // inside a folded box
      // Out of each open cluster around the source, innermost first, then
      // across, then into each open cluster around the target.
      var pts = [];
      for (var i = a.length - 1; i > d; i--) {
        if (!levelPoints.has(a[i])) continue;  // folded, or inside a folded one
        var ai = self.itemOf(e[0], self.clusters.get(a[i]).depth);
        pts = pts.concat(levelPoints.get(a[i]).get(ai + '>pout:' + ai) || []);
      }
      pts = pts.concat(mid);
      for (var j = d + 1; j < b.length; j++) {
        if (!levelPoints.has(b[j])) break;
        var bj = self.itemOf(e[1], self.clusters.get(b[j]).depth);
        pts = pts.concat(levelPoints.get(b[j]).get('pin:' + bj + '>' + bj) || []);
      }
      var folded = ru.charAt(0) === 'c' || rv.charAt(0) === 'c';
      drawn.set(key, {points: pts, kind: e[3], label: folded ? '' : e[2], from: ru, to: rv});
    });
    this.rep = rep;
    this.boxes = boxes;
    this.placed = placed;
    this.drawEdges = drawn;
    this.extent = {width: root.width, height: root.height};
    var ms = performance.now() - t0;
    stats.layouts.push({pane: this.index, boxes: placed.length, ms: ms});
    return ms;
  };

  // ---- drawing ----------------------------------------------------------------
  Pane.prototype.render = function () {
    var self = this;
    var vp = this.viewport;
    while (vp.firstChild) vp.removeChild(vp.firstChild);
    var clusterLayer = el('g', {'class': 'clusters'}, vp);
    var edgeLayer = el('g', {'class': 'edges'}, vp);
    var nodeLayer = el('g', {'class': 'nodes'}, vp);
    this.nodeEls = new Map();   // node index or 'c:id' -> element
    var visibleBoxes = 0;
    this.placed.forEach(function (p) {
      var item = p.item, box = p.box;
      if (item.type === 'cluster') {
        var c = item.c;
        var cg = el('g', {'class': 'cluster kind-' + c.kind + (c.highlighted ? ' highlighted' : ''),
                          'data-cluster': c.id}, clusterLayer);
        var x = box.x - box.width / 2, y = box.y - box.height / 2;
        el('rect', {'class': 'frame', x: x, y: y, width: box.width, height: box.height, rx: 5}, cg);
        var collapsible = c.kind !== 'branch';
        var label = el('text', {'class': 'label', x: x + 6, y: y + 13}, cg);
        label.textContent = (collapsible ? '\u25be ' : '') + c.label;
        if (collapsible) {
          label.addEventListener('click', function (ev) { ev.stopPropagation(); if (!self.dragged) self.toggle(c.id); });
        }
        var tip = el('title', null, label);
        tip.textContent = (collapsible ? 'click to collapse\n' : '') + (c.tooltip || c.label);
        return;
      }
      visibleBoxes++;
      var w = box.width, h = box.height;
      var isNode = item.type === 'node';
      var node = isNode ? self.nodes[item.n] : null;
      var kind = isNode ? node.kind : 'folded';
      var cls = 'node kind-' + kind;
      if (!isNode) cls += ' of-' + item.c.kind + (self.clusters.get(item.c.id).highlighted ? ' highlighted' : '');
      if (isNode && node.highlight) cls += ' highlighted';
      var ng = el('g', {'class': cls, transform: 'translate(' + (box.x - w / 2) + ',' + (box.y - h / 2) + ')'}, nodeLayer);
      if (isNode) {
        ng.setAttribute('data-id', node.id);
        ng.setAttribute('data-index', String(item.n));
      } else {
        ng.setAttribute('data-cluster', item.c.id);
      }
      if (kind === 'condition') {
        el('polygon', {points: [w / 2, 0, w, h / 2, w / 2, h, 0, h / 2].join(' ')}, ng);
      } else if (kind === 'merge') {
        el('polygon', {points: [0, 0, w, 0, w - 10, h, 10, h].join(' ')}, ng);
      } else if (kind === 'loop') {
        el('polygon', {points: [10, 0, w - 10, 0, w, h / 2, w - 10, h, 10, h, 0, h / 2].join(' ')}, ng);
      } else if (kind === 'folded') {
        el('rect', {'class': 'shadow', x: 5, y: 5, width: w - 5, height: h - 5, rx: 4}, ng);
        el('rect', {width: w - 5, height: h - 5, rx: 4}, ng);
      } else {
        el('rect', {width: w, height: h, rx: kind === 'input' || kind === 'output' ? 8 : 4}, ng);
      }
      var text = el('text', {x: (kind === 'folded' ? w - 5 : w) / 2, 'text-anchor': 'middle'}, ng);
      var lines = item.lines;
      var total = 0;
      lines.forEach(function (l) { total += l.cls.indexOf('small') >= 0 ? SMALL_LINE : TITLE_LINE; });
      var y0 = ((kind === 'folded' ? h - 5 : h) - total) / 2;
      lines.forEach(function (l) {
        var small = l.cls.indexOf('small') >= 0;
        y0 += small ? SMALL_LINE : TITLE_LINE;
        var span = el('tspan', {x: (kind === 'folded' ? w - 5 : w) / 2, y: y0 - 3, 'class': l.cls}, text);
        span.textContent = l.text;
      });
      var tip = el('title', null, ng);
      tip.textContent = isNode ? ((node.highlight ? node.highlight + '\n' : '') + (node.ir || node.tooltip || node.title))
                               : (item.c.tooltip || item.c.label) + '\nclick to open';
      ng.addEventListener('click', function (ev) {
        ev.stopPropagation();
        if (self.dragged) return;
        if (isNode) self.select(item.n, true); else self.toggle(item.c.id);
      });
      self.nodeEls.set(isNode ? item.n : 'c:' + item.c.id, ng);
    });
    var marker = 'url(#jx-arrow' + this.index + ')';
    this.drawEdges.forEach(function (info) {
      var pts = info.points;
      if (!pts || pts.length < 2) return;
      var eg = el('g', {'class': 'edge kind-' + info.kind, 'data-from': info.from, 'data-to': info.to}, edgeLayer);
      var d = 'M' + pts[0].x + ',' + pts[0].y;
      for (var i = 1; i < pts.length - 1; i++) {
        var mx = (pts[i].x + pts[i + 1].x) / 2, my = (pts[i].y + pts[i + 1].y) / 2;
        d += ' Q' + pts[i].x + ',' + pts[i].y + ' ' + mx + ',' + my;
      }
      d += ' L' + pts[pts.length - 1].x + ',' + pts[pts.length - 1].y;
      el('path', {d: d, 'marker-end': marker}, eg);
      if (info.label) {
        var mid = pts[Math.floor(pts.length / 2)];
        var t = el('text', {x: mid.x + 4, y: mid.y - 2}, eg);
        t.textContent = info.label;
      }
    });
    this.countEl.textContent = visibleBoxes + ' boxes shown; ' + this.nodes.length + ' in all' +
      (this.collapsed.size ? '; click a \u25b8 box to open it' : '');
    this.applyClasses();
    this.applyTransform();
  };

  Pane.prototype.applyClasses = function () {
    var self = this;
    this.nodeEls.forEach(function (e, key) {
      e.classList.remove('selected', 'synced', 'match');
    });
    var mark = function (set, cls) {
      set.forEach(function (n) {
        var e = self.nodeEls.get(n) || self.nodeEls.get(self.rep[n]);
        if (e) e.classList.add(cls);
      });
    };
    mark(this.matches, 'match');
    mark(this.synced, 'synced');
    mark(this.selected, 'selected');
  };

  // ---- pan and zoom -----------------------------------------------------------
  Pane.prototype.applyTransform = function () {
    this.viewport.setAttribute('transform', 'translate(' + this.t.x + ',' + this.t.y + ') scale(' + this.t.k + ')');
  };

  Pane.prototype.panZoom = function () {
    var self = this, svg = this.svg, start = null;
    svg.addEventListener('wheel', function (ev) {
      // In the report the wheel keeps scrolling the page past the graph.
      if (embedded && !ev.ctrlKey && !ev.metaKey) return;
      ev.preventDefault();
      var r = svg.getBoundingClientRect();
      self.zoomAt(ev.clientX - r.left, ev.clientY - r.top, Math.exp(-ev.deltaY * 0.0015));
    }, {passive: false});
    svg.addEventListener('mousedown', function (ev) {
      if (ev.button !== 0) return;
      start = {x: ev.clientX, y: ev.clientY, tx: self.t.x, ty: self.t.y};
      self.dragged = false;
    });
    window.addEventListener('mousemove', function (ev) {
      if (!start) return;
      var dx = ev.clientX - start.x, dy = ev.clientY - start.y;
      if (!self.dragged && Math.abs(dx) + Math.abs(dy) < 4) return;
      self.dragged = true;
      svg.classList.add('dragging');
      self.t.x = start.tx + dx;
      self.t.y = start.ty + dy;
      self.applyTransform();
    });
    window.addEventListener('mouseup', function () {
      start = null;
      svg.classList.remove('dragging');
      setTimeout(function () { self.dragged = false; }, 0);
    });
  };

  // Zooms by `factor` keeping the pane's point (px, py) where it is.
  Pane.prototype.zoomAt = function (px, py, factor) {
    var k = Math.min(4, Math.max(0.02, this.t.k * factor));
    this.t.x = px - (px - this.t.x) * k / this.t.k;
    this.t.y = py - (py - this.t.y) * k / this.t.k;
    this.t.k = k;
    this.applyTransform();
  };

  Pane.prototype.size = function () {
    var r = this.svg.getBoundingClientRect();
    return {w: r.width || 800, h: r.height || 600};
  };

  // The whole graph in the pane, its top at the pane's top (a graph reads
  // from its inputs down); with `readable`, never so small that the labels
  // cannot be read: then the top of the graph, centred left to right.
  Pane.prototype.fit = function (readable) {
    var gg = this.extent, s = this.size();
    var k = Math.min(s.w / (gg.width || 1), s.h / (gg.height || 1), 1.2);
    if (readable && k < 0.9) k = 0.9;
    this.t.k = k;
    this.t.x = (s.w - gg.width * k) / 2;
    this.t.y = 12;
    this.applyTransform();
  };

  // Keeps the point of the graph at layout key `key` where it is on screen.
  Pane.prototype.keyCentre = function (key) {
    var b = this.boxes && this.boxes.get(key);
    return b ? {x: b.x, y: b.y} : null;
  };

  Pane.prototype.centreOn = function (key, minZoom) {
    var b = this.boxes.get(key);
    if (!b) return;
    var s = this.size();
    if (minZoom && this.t.k < minZoom) this.t.k = minZoom;
    this.t.x = s.w / 2 - b.x * this.t.k;
    this.t.y = s.h / 2 - b.y * this.t.k;
    this.applyTransform();
  };

  // ---- expand and collapse -------------------------------------------------------
  Pane.prototype.toggle = function (clusterId) {
    var t0 = performance.now();
    var before = this.collapsed.has(clusterId) ? this.keyCentre('c:' + clusterId) : this.keyCentre('k:' + clusterId);
    var screen = before && {x: before.x * this.t.k + this.t.x, y: before.y * this.t.k + this.t.y};
    if (this.collapsed.has(clusterId)) this.collapsed.delete(clusterId); else this.collapsed.add(clusterId);
    this.invalidate(clusterId);
    this.layout();
    this.render();
    var after = this.collapsed.has(clusterId) ? this.keyCentre('c:' + clusterId) : this.keyCentre('k:' + clusterId);
    if (screen && after) {
      this.t.x = screen.x - after.x * this.t.k;
      this.t.y = screen.y - after.y * this.t.k;
      this.applyTransform();
    }
    stats.lastToggleMs = performance.now() - t0;
    return stats.lastToggleMs;
  };

  // Opens every cluster around node n; true when something opened.
  Pane.prototype.reveal = function (n) {
    var opened = false, self = this;
    this.ancestors(this.nodeCluster[n]).forEach(function (id) {
      if (self.collapsed.delete(id)) { opened = true; self.invalidate(id); }
    });
    return opened;
  };

  // ---- selection and the side panel -----------------------------------------------
  Pane.prototype.select = function (n, sync) {
    this.selected = new Set([n]);
    this.synced = new Set();
    if (this.reveal(n)) { this.layout(); this.render(); }
    this.applyClasses();
    if (sync) syncOthers(this, n);
    showNode(this, n);
  };

  function other(pane) {
    return panes.filter(function (p) { return p !== pane; });
  }

  // "/src/model.py:35" of a node: the user's line (for a scripted op inside
  // torch, the user's call of it), without the column.
  function userLine(node) {
    // A note (a finding's line no box of this graph comes from) names the
    // line first in its tooltip: the trace's note meets the reference's `if`.
    var s = node.line || node.source || (node.kind === 'note' ? (node.tooltip || '').split('\n')[0] : '');
    return s.replace(/:(\d+):\d+$/, ':$1');
  }

  // The same Python line in the other view (trace and scripted reference).
  function syncOthers(pane, n) {
    var source = userLine(pane.nodes[n]);
    other(pane).forEach(function (p) {
      p.selected = new Set();
      p.synced = new Set();
      if (source) {
        p.nodes.forEach(function (node, i) { if (userLine(node) === source) p.synced.add(i); });
      }
      var relayout = false;
      p.synced.forEach(function (i) { if (p.reveal(i)) relayout = true; });
      if (relayout) { p.layout(); p.render(); }
      p.applyClasses();
      var first = p.synced.values().next();
      if (!first.done) p.centreOn(p.rep[first.value]);
      pane.syncCount = p.synced.size;
    });
  }

  function section(title, content) {
    panelBody.appendChild(html('h3', title));
    panelBody.appendChild(content);
  }
  function pre(text, cls) { return html('pre', text, cls); }

  // The lines around "/src/model.py:24:20", as the page carries them
  // (data.sources), the line itself marked.
  function sourceExcerpt(where) {
    var m = /^(.*?):(\d+)(?::\d+)?$/.exec(where || '');
    var file = m && data.sources && data.sources[m[1]];
    if (!file) return null;
    var line = Number(m[2]);
    var box = html('pre', undefined, 'excerpt');
    for (var l = line - 2; l <= line + 2; l++) {
      if (file[l] === undefined) continue;
      var row = html('span', String(l).padStart(5) + ' | ' + file[l] + '\n', l === line ? 'here' : '');
      box.appendChild(row);
    }
    return box.childNodes.length ? box : null;
  }

  function edgeList(pane, n, incoming) {
    var ul = html('ul', undefined, incoming ? 'inputs' : 'users');
    pane.edges.forEach(function (e) {
      if ((incoming ? e[1] : e[0]) !== n) return;
      var peer = incoming ? e[0] : e[1];
      var li = html('li');
      var a = html('a', pane.nodes[peer].title + ' (' + pane.nodes[peer].id + ')');
      a.addEventListener('click', function () { pane.select(peer, true); pane.centreOn(pane.rep[peer]); });
      li.appendChild(a);
      if (e[2]) li.appendChild(document.createTextNode('  ' + e[2]));
      if (e[3] !== 'data') li.appendChild(html('span', '  ' + e[3], 'muted'));
      ul.appendChild(li);
    });
    return ul.childNodes.length ? ul : html('div', 'none', 'muted');
  }

  function showNode(pane, n) {
    var node = pane.nodes[n];
    panelBody.textContent = '';
    panel.hidden = false;
    panel.setAttribute('data-node', node.id);
    panelBody.appendChild(html('h2', node.title));
    panelBody.appendChild(html('div', node.kind + ' \u00b7 ' + node.id + (panes.length > 1 ? ' \u00b7 ' + pane.view.title : ''), 'muted'));
    if (node.highlight) section('Findings', pre(node.highlight, 'finding'));
    if (node.ir) section('IR', pre(node.ir, 'ir'));
    if (node.schema) section('Schema', pre(node.schema, 'schema'));
    if (node.source || node.location) section('Python', pre(node.source || node.location, 'source'));
    var excerpt = sourceExcerpt(node.source);
    if (excerpt) panelBody.appendChild(excerpt);
    if (node.line && userLine(node) !== userLine({source: node.source})) section('Called from', pre(userLine(node), 'line'));
    if (node.module_path) section('Module', pre(node.module_path + (node.module ? '  (' + node.module + ')' : ''), 'module'));
    if (node.details && node.details.length) {
      var ul = html('ul');
      node.details.forEach(function (d) { ul.appendChild(html('li', d)); });
      section('Folded arguments', ul);
    }
    section('Inputs (type or shape when known)', edgeList(pane, n, true));
    section('Used by', edgeList(pane, n, false));
    if (!node.ir && node.tooltip) section('About', pre(node.tooltip));
    if (panes.length > 1) {
      section('Other view', html('div', userLine(node)
        ? (pane.syncCount || 0) + ' box(es) from ' + userLine(node).replace(/^.*\//, '') + ' (dashed blue)'
        : 'no source line to match', 'muted'));
    }
  }

  document.getElementById('jx-panel-close').addEventListener('click', function () { panel.hidden = true; });

  // ---- search ---------------------------------------------------------------------
  function escapeRegExp(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); }

  function matcher(query) {
    var q = query.trim();
    if (!q) return null;
    var line = /^(.*\S):(\d+)$/.exec(q);
    if (line) {
      return function (node) {
        if (node.location === q) return true;
        var s = userLine({source: node.source}), u = userLine(node);
        return s === q || s.slice(-(q.length + 1)) === '/' + q || u === q || u.slice(-(q.length + 1)) === '/' + q;
      };
    }
    if (q.charAt(0) === '%') {
      var re = new RegExp(escapeRegExp(q) + '(?![\\w.])');
      return function (node) { return re.test(node.ir || '') || re.test(node.tooltip || ''); };
    }
    var lower = q.toLowerCase();
    var bare = lower.replace(/^aten::/, '');
    return function (node) {
      var title = (node.title || '').toLowerCase();
      var mp = (node.module_path || '').toLowerCase();
      return title === bare || title === lower || mp === lower || mp.indexOf(lower + '.') === 0 ||
        title.indexOf(bare) >= 0 || (node.ir || '').toLowerCase().indexOf(lower) >= 0;
    };
  }

  var lastQuery = null, matchList = [], matchAt = -1;
  var MAX_REVEAL = 200;

  function search(query) {
    var test = matcher(query);
    matchList = [];
    panes.forEach(function (p) {
      p.matches = new Set();
      if (!test) return;
      p.nodes.forEach(function (node, i) {
        if (node.kind !== 'note' && test(node)) { p.matches.add(i); matchList.push({pane: p, n: i}); }
      });
    });
    panes.forEach(function (p) {
      var opened = false, revealed = 0;
      p.matches.forEach(function (i) {
        if (revealed++ < MAX_REVEAL && p.reveal(i)) opened = true;
      });
      if (opened) { p.layout(); p.render(); } else { p.applyClasses(); }
    });
    lastQuery = query;
    matchAt = -1;
    searchStatus.classList.toggle('none', !!test && matchList.length === 0);
    searchStatus.textContent = !test ? '' : matchList.length === 0 ? 'no match'
      : matchList.length + (matchList.length === 1 ? ' match' : ' matches') + (matchList.length > 1 ? ' (Enter: next)' : '');
    if (matchList.length) nextMatch();
    return matchList.length;
  }

  function nextMatch() {
    if (!matchList.length) return;
    matchAt = (matchAt + 1) % matchList.length;
    var m = matchList[matchAt];
    m.pane.select(m.n, true);
    m.pane.centreOn(m.pane.rep[m.n], 0.8);
    if (matchList.length > 1) searchStatus.textContent = (matchAt + 1) + ' of ' + matchList.length + ' matches (Enter: next)';
  }

  searchBox.addEventListener('keydown', function (ev) {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    if (searchBox.value === lastQuery && matchList.length) nextMatch(); else search(searchBox.value);
  });
  searchBox.addEventListener('search', function () { if (!searchBox.value) search(''); });

  // ---- start ----------------------------------------------------------------------
  var panes = data.views.map(function (view, i) { return new Pane(view, i); });
  var initialDepth = data.collapse_depth;
  panes.forEach(function (p) {
    if (initialDepth) p.collapseTo(initialDepth, !!data.collapse_control);
    p.layout();
    p.render();
    p.fit(true);
  });
  [['jx-zoom-in', 1.25], ['jx-zoom-out', 0.8]].forEach(function (button) {
    document.getElementById(button[0]).addEventListener('click', function () {
      panes.forEach(function (p) { var s = p.size(); p.zoomAt(s.w / 2, s.h / 2, button[1]); });
    });
  });
  document.getElementById('jx-fit').addEventListener('click', function () { panes.forEach(function (p) { p.fit(); }); });
  document.getElementById('jx-collapse-all').addEventListener('click', function () {
    panes.forEach(function (p) { p.collapseTo(1, true); p.layout(); p.render(); p.fit(); });
  });

  stats.loadMs = performance.now();
  stats.scriptMs = stats.loadMs - started;
  window.jitscopeExplorer = {
    panes: panes,
    stats: stats,
    search: search,
    toggle: function (pane, clusterId) { return panes[pane].toggle(clusterId); },
    select: function (pane, nodeId) {
      var p = panes[pane];
      for (var i = 0; i < p.nodes.length; i++) if (p.nodes[i].id === nodeId) { p.select(i, true); return true; }
      return false;
    },
    // Selects the box and brings it to the middle of its pane, readable (the
    // report's "show in graph").
    show: function (pane, nodeId) {
      if (!this.select(pane, nodeId)) return false;
      var p = panes[pane];
      p.centreOn(p.rep[p.nodes.findIndex(function (n) { return n.id === nodeId; })], 0.8);
      return true;
    }
  };
  document.documentElement.setAttribute('data-explorer-ready', 'yes');
})();
