#!/usr/bin/env bash
# Run HERE (Debian 12): downloads the Debian packages the GPU machine lacks
# into .deps/debs (ignored by git, carried by the device call). The GPU
# machine reaches no package registry; it unpacks these with dpkg -x.
# libglib2.0-0: the Ubuntu image has no glib, which libgts needs, which the
# neato plugin needs (its nop2 draws the hierarchical layout, graph_hierarchy.h).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mkdir -p "$root/.deps/debs"
cd "$root/.deps/debs"
apt-get download -qq \
  libfmt9 libfmt-dev \
  libboost-program-options1.74.0 libboost-program-options1.74-dev libboost1.74-dev \
  nlohmann-json3-dev libgtest-dev googletest \
  libgraphviz-dev libgvc6 libcgraph6 libcdt5 libpathplan4 libxdot4 libgvpr2 \
  liblab-gamut1 libgts-0.7-5 libgd3 libltdl7 libwebp7 \
  libglib2.0-0 \
  libtomlplusplus-dev \
  libtree-sitter0 libtree-sitter-dev
ls -1 "$root/.deps/debs"
