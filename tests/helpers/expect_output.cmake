# Runs COMMAND (a list) and checks its exit code and its standard output and standard error apart, each
# against a regular expression; ctest alone matches one expression on both streams together and then
# ignores the exit code.
# Usage: cmake -DCOMMAND=program;arg;... -DEXIT_CODE=N -DSTDOUT=regex -DSTDERR=regex -P expect_output.cmake
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE exit_code OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
set(problems "")
if(NOT exit_code STREQUAL EXIT_CODE)
  string(APPEND problems "exit code ${exit_code}, expected ${EXIT_CODE}\n")
endif()
if(NOT stdout MATCHES "${STDOUT}")
  string(APPEND problems "standard output does not match ${STDOUT}\n")
endif()
if(NOT stderr MATCHES "${STDERR}")
  string(APPEND problems "standard error does not match ${STDERR}\n")
endif()
if(problems)
  message(FATAL_ERROR "${problems}standard output:\n${stdout}\nstandard error:\n${stderr}")
endif()
