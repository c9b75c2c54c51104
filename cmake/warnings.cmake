# One INTERFACE target carries the project's warning and sanitizer flags; every target links it.
add_library(agentdb_flags INTERFACE)
target_compile_options(agentdb_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  # GCC 12 reports -Wrestrict for std::string operator+ inlined from libpqxx at -O2 (GCC bug
  # 105329, a false positive fixed in GCC 13).
  target_compile_options(agentdb_flags INTERFACE -Wno-restrict)
endif()
if(AGENTDB_WERROR)
  target_compile_options(agentdb_flags INTERFACE -Werror)
endif()
if(AGENTDB_SANITIZERS)
  string(REPLACE ";" "," _sanitizers "${AGENTDB_SANITIZERS}")
  target_compile_options(agentdb_flags INTERFACE -fsanitize=${_sanitizers} -fno-omit-frame-pointer
                                                 -fno-sanitize-recover=all)
  # Executables position-dependent: sanitized code holds millions of pointers that a PIE would
  # relocate at every start (0.3-0.5 s each; the tests start thousands of processes).
  target_link_options(agentdb_flags INTERFACE -fsanitize=${_sanitizers}
                      $<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:-no-pie>)
endif()
