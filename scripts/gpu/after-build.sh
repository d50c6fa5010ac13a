# Sourced by the scripts that run after scripts/gpu/build-and-test.sh on the
# GPU machine:  source "$(dirname "${BASH_SOURCE[0]}")/after-build.sh" NAME
# Sets build, deps, jitscope and models, makes out ($OUT/NAME) and puts the
# fetched libraries (Graphviz's among them) on LD_LIBRARY_PATH.
build="${JITSCOPE_BUILD_DIR:-/tmp/jitscope-build}"
deps=/tmp/jitscope-deps
out="${OUT:-/tmp/jitscope-gpu-out}/$1"
mkdir -p "$out"
export LD_LIBRARY_PATH="$deps/usr/lib/x86_64-linux-gnu:$deps/usr/lib/x86_64-linux-gnu/graphviz${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
jitscope="$build/cli/jitscope"
models="$build/models"
