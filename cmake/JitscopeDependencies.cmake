# Third-party dependencies, found the same way on Debian (LibTorch 1.13 from
# libtorch-dev) and on the GPU machine (LibTorch 2.x from the torch wheel,
# other libraries unpacked from Debian .debs under CMAKE_PREFIX_PATH).

find_package(Torch REQUIRED)
message(STATUS "LibTorch ${Torch_VERSION} at ${TORCH_INSTALL_PREFIX}")
find_package(fmt REQUIRED)
# fmt is used header-only: the torch 2.x wheel ships its own (newer) fmt
# headers on LibTorch's include path, so a translation unit that includes
# LibTorch may see those instead of the system ones. Header-only use keeps
# each unit self-consistent whichever copy it sees.
find_package(nlohmann_json 3.9 REQUIRED)
# CMake 4 dropped FindBoost; Boost's own config file works on both machines.
find_package(Boost 1.74 CONFIG REQUIRED COMPONENTS program_options)

# Python with torch, used to generate fixture models and in benchmarks. The
# python3 first on PATH may lack torch, so prefer the system interpreter.
if(NOT JITSCOPE_PYTHON)
  find_program(JITSCOPE_PYTHON NAMES python3
               PATHS /usr/bin NO_DEFAULT_PATH)
  if(NOT JITSCOPE_PYTHON)
    find_program(JITSCOPE_PYTHON NAMES python3)
  endif()
endif()
if(JITSCOPE_BUILD_FIXTURES)
  execute_process(COMMAND ${JITSCOPE_PYTHON} -c "import torch; print(torch.__version__)"
                  OUTPUT_VARIABLE _jitscope_py_torch
                  OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE _jitscope_py_rc ERROR_QUIET)
  if(NOT _jitscope_py_rc EQUAL 0)
    message(FATAL_ERROR
      "${JITSCOPE_PYTHON} cannot import torch; fixtures need it. Install "
      "python3-torch (scripts/install-deps.sh), pass -DJITSCOPE_PYTHON=..., "
      "or -DJITSCOPE_BUILD_FIXTURES=OFF")
  endif()
  message(STATUS "Fixture Python: ${JITSCOPE_PYTHON} (torch ${_jitscope_py_torch})")
endif()

# Headers every LibTorch-including translation unit needs; precompiled once
# per target to keep the 2-core CI build short.
set(JITSCOPE_TORCH_PCH
    <torch/csrc/jit/api/module.h>
    <torch/csrc/jit/ir/ir.h>
    <torch/csrc/jit/frontend/source_range.h>)

# Graphviz (cgraph + gvc) renders graphs in-process. Its plugins are linked
# directly rather than discovered through Graphviz's config file, so the
# binary also works where the libraries were unpacked into a private prefix
# (the GPU machine; see docs/building.md). The cairo plugin (PNG, PDF) is
# optional: where its cairo/pango libraries are missing, pass
# -DJITSCOPE_GRAPHVIZ_CAIRO=OFF and jitscope writes SVG and DOT only.
find_package(PkgConfig REQUIRED)
pkg_check_modules(GRAPHVIZ REQUIRED IMPORTED_TARGET libgvc libcgraph)
pkg_get_variable(_jitscope_gv_libdir libgvc libdir)
set(_jitscope_gv_dirs ${GRAPHVIZ_LIBRARY_DIRS} $ENV{PKG_CONFIG_SYSROOT_DIR}${_jitscope_gv_libdir}
    ${_jitscope_gv_libdir})
function(jitscope_find_gvplugin var name)
  find_file(${var} NAMES libgvplugin_${name}.so.6 libgvplugin_${name}.so
            PATHS ${_jitscope_gv_dirs} PATH_SUFFIXES graphviz NO_DEFAULT_PATH)
endfunction()
jitscope_find_gvplugin(JITSCOPE_GVPLUGIN_CORE core)
jitscope_find_gvplugin(JITSCOPE_GVPLUGIN_DOT dot_layout)
# neato_layout brings "nop2", which draws a graph where the hierarchical
# layout placed it (report/src/graph_hierarchy.cpp); it needs libgts and glib.
jitscope_find_gvplugin(JITSCOPE_GVPLUGIN_NEATO neato_layout)
if(NOT JITSCOPE_GVPLUGIN_CORE OR NOT JITSCOPE_GVPLUGIN_DOT OR NOT JITSCOPE_GVPLUGIN_NEATO)
  message(FATAL_ERROR "Graphviz plugins libgvplugin_core/libgvplugin_dot_layout/libgvplugin_neato_layout not found "
                      "under ${_jitscope_gv_dirs}; install libgraphviz-dev")
endif()
option(JITSCOPE_GRAPHVIZ_CAIRO "Link Graphviz's cairo plugin for PNG and PDF output" ON)
if(JITSCOPE_GRAPHVIZ_CAIRO)
  jitscope_find_gvplugin(JITSCOPE_GVPLUGIN_PANGO pango)
  if(NOT JITSCOPE_GVPLUGIN_PANGO)
    message(STATUS "Graphviz cairo plugin not found: PNG and PDF output disabled")
    set(JITSCOPE_GRAPHVIZ_CAIRO OFF)
  endif()
endif()
message(STATUS "Graphviz ${GRAPHVIZ_libgvc_VERSION}: PNG/PDF ${JITSCOPE_GRAPHVIZ_CAIRO}")

# toml++ reads `jitscope ci` configs. Used header-only (TOML_HEADER_ONLY=1),
# so only its headers are needed: Debian's libtomlplusplus-dev here, the
# same .deb unpacked on the GPU machine (scripts/gpu/fetch-debs.sh).
find_path(JITSCOPE_TOMLPLUSPLUS_INCLUDE_DIR toml++/toml.h)
if(NOT JITSCOPE_TOMLPLUSPLUS_INCLUDE_DIR)
  message(FATAL_ERROR "toml++ headers (toml++/toml.h) not found; install libtomlplusplus-dev "
                      "(scripts/install-deps.sh)")
endif()
add_library(jitscope_tomlplusplus INTERFACE)
target_include_directories(jitscope_tomlplusplus SYSTEM INTERFACE ${JITSCOPE_TOMLPLUSPLUS_INCLUDE_DIR})
target_compile_definitions(jitscope_tomlplusplus INTERFACE TOML_HEADER_ONLY=1 TOML_EXCEPTIONS=1)

# tree-sitter parses the user's Python for the trace audit: the runtime from
# Debian's libtree-sitter-dev (the same .debs on the GPU machine), the Python
# grammar vendored in third_party/tree-sitter-python.
pkg_check_modules(TREE_SITTER REQUIRED IMPORTED_TARGET tree-sitter)
