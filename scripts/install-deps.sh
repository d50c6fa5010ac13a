#!/usr/bin/env bash
# Installs what jitscope needs on Debian 12 (bookworm). Idempotent: when
# every package is present it changes nothing and runs no apt-get at all.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache
  libtorch-dev python3-torch python3-torchvision python3-torchaudio   # LibTorch 1.13 + fixture generation
  libfmt-dev libboost-program-options-dev nlohmann-json3-dev
  libgtest-dev
  graphviz libgraphviz-dev   # in-process layout (cgraph + gvc); `dot` for bench/graph_vs_dot.py
  libtomlplusplus-dev        # `jitscope ci` config files (used header-only)
  libtree-sitter-dev         # the audit parses Python source (grammar vendored in third_party/)
  chromium                   # headless browser for the HTML report's test
  nodejs                     # drives chromium for the graph explorer's test and bench (DevTools protocol)
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present" >&2
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
