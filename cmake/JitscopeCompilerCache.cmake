# Use ccache when present. Precompiled headers are used for the LibTorch
# headers, so ccache must be told to accept them (pch_defines, time_macros).
find_program(JITSCOPE_CCACHE ccache)
if(JITSCOPE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER
      ${CMAKE_COMMAND} -E env
      "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
      ${JITSCOPE_CCACHE})
endif()
