# Use ccache when present. Precompiled headers are used for the LibTorch
# headers, so ccache must be told to accept them (pch_defines, time_macros).
# CCACHE_BASEDIR makes paths relative so a fresh clone in another folder (as
# CI makes) hits the cache that an earlier build filled.
find_program(JITSCOPE_CCACHE ccache)
if(JITSCOPE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      "CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}" "CCACHE_NOHASHDIR=1"
      ${JITSCOPE_CCACHE})
endif()
