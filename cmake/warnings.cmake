# One INTERFACE target carries the project's warning and sanitizer flags; every target links it.
add_library(agentdb_flags INTERFACE)
target_compile_options(agentdb_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow)
if(AGENTDB_WERROR)
  target_compile_options(agentdb_flags INTERFACE -Werror)
endif()
if(AGENTDB_SANITIZERS)
  string(REPLACE ";" "," _sanitizers "${AGENTDB_SANITIZERS}")
  target_compile_options(agentdb_flags INTERFACE -fsanitize=${_sanitizers} -fno-omit-frame-pointer
                                                 -fno-sanitize-recover=all)
  target_link_options(agentdb_flags INTERFACE -fsanitize=${_sanitizers})
endif()
