# End-to-end tests of build/xnor (its commands, the XNOR_PATH override and its errors) and of xnor-bench.
if(TARGET xnor_cli)
  add_test(NAME cli.help COMMAND xnor_cli --help)
  set_tests_properties(cli.help PROPERTIES PASS_REGULAR_EXPRESSION "usage: xnor <command>")

  add_test(NAME cli.version COMMAND xnor_cli --version)
  set_tests_properties(cli.version PROPERTIES PASS_REGULAR_EXPRESSION "xnor ${PROJECT_VERSION}\ncpu path: [a-z0-9]+ \\(supported: ")

  add_test(NAME cli.unknown_command COMMAND xnor_cli frobnicate)
  set_tests_properties(cli.unknown_command PROPERTIES WILL_FAIL TRUE)

  add_test(NAME cli.selfcheck COMMAND xnor_cli selfcheck)
  set_tests_properties(cli.selfcheck PROPERTIES PASS_REGULAR_EXPRESSION "scalar: matches the reference" FAIL_REGULAR_EXPRESSION "MISMATCH")

  add_test(NAME cli.path_forced_scalar COMMAND xnor_cli --version)
  set_tests_properties(cli.path_forced_scalar PROPERTIES ENVIRONMENT XNOR_PATH=scalar PASS_REGULAR_EXPRESSION "cpu path: scalar ")

  add_test(NAME cli.path_unknown COMMAND xnor_cli --version)
  set_tests_properties(cli.path_unknown PROPERTIES ENVIRONMENT XNOR_PATH=sse9
    PASS_REGULAR_EXPRESSION "XNOR_PATH: unknown path 'sse9' \\(choose scalar, avx2, avx512 or neon\\)")

  # A path of the other architecture is never compiled in, so forcing it must fail with a clear reason.
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(xnor_foreign_path avx512)
  else()
    set(xnor_foreign_path neon)
  endif()
  add_test(NAME cli.save_builtin COMMAND xnor_cli save googlenet224:binary ${CMAKE_BINARY_DIR}/googlenet224-binary.xnm)
  set_tests_properties(cli.save_builtin PROPERTIES FIXTURES_SETUP googlenet_file)
  add_test(NAME cli.info_json COMMAND xnor_cli info ${CMAKE_BINARY_DIR}/googlenet224-binary.xnm --json)
  set_tests_properties(cli.info_json PROPERTIES FIXTURES_REQUIRED googlenet_file
    PASS_REGULAR_EXPRESSION "\"file_bytes\": [0-9.e+]+, \"arena_bytes\": [0-9]+, \"macs\": 1582671872")
  add_test(NAME cli.info_table COMMAND xnor_cli info googlenet224:int8)
  set_tests_properties(cli.info_table PROPERTIES PASS_REGULAR_EXPRESSION "inception_5b/3x3 +conv +int8 +7x7x384")
  add_test(NAME cli.info_missing_file COMMAND xnor_cli info ${CMAKE_BINARY_DIR}/no-such-model.xnm)
  set_tests_properties(cli.info_missing_file PROPERTIES PASS_REGULAR_EXPRESSION "no-such-model.xnm: cannot open")
  add_test(NAME cli.info_not_a_model COMMAND xnor_cli info ${CMAKE_CURRENT_SOURCE_DIR}/README.md)
  set_tests_properties(cli.info_not_a_model PROPERTIES PASS_REGULAR_EXPRESSION "README.md: model file: not an .xnm file")

  add_test(NAME cli.path_not_compiled COMMAND xnor_cli --version)
  set_tests_properties(cli.path_not_compiled PROPERTIES ENVIRONMENT XNOR_PATH=${xnor_foreign_path}
    PASS_REGULAR_EXPRESSION "XNOR_PATH=${xnor_foreign_path}: not compiled into this binary")
endif()

# The benchmark binary registers and runs (one small shape on every path); speed is not judged here.
if(XNOR_BUILD_BENCH)
  add_test(NAME bench.smoke COMMAND xnor-bench --benchmark_filter=M49x --benchmark_min_time=0.01)
  set_tests_properties(bench.smoke PROPERTIES PASS_REGULAR_EXPRESSION "bgemm/scalar/M49xN512xK4608")
endif()
