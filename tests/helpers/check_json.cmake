# Runs COMMAND (a list) and parses its standard output as JSON (CMake's own parser): the command must exit 0,
# the output must parse, and every member in KEYS (a list) must be present in the top-level object, or in
# the first element of a top-level array.
# Usage: cmake "-DCOMMAND=program;arg;..." "-DKEYS=key;key;..." -P check_json.cmake
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE exit_code OUTPUT_VARIABLE json ERROR_VARIABLE errors)
if(NOT exit_code EQUAL 0)
  message(FATAL_ERROR "exit code ${exit_code}\n${errors}")
endif()
string(JSON kind ERROR_VARIABLE problem TYPE "${json}")
if(problem)
  message(FATAL_ERROR "not JSON: ${problem}\n${json}")
endif()
set(path "")
if(kind STREQUAL "ARRAY")
  set(path 0)
endif()
foreach(key IN LISTS KEYS)
  string(JSON value ERROR_VARIABLE problem GET "${json}" ${path} ${key})
  if(problem)
    message(FATAL_ERROR "member '${key}' is missing: ${problem}\n${json}")
  endif()
endforeach()
