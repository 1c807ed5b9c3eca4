# The C API (include/xnor/xnor.h, src/c_api/c_api.cpp) is in the runtime library; this adds the shared library
# libxnor.so for applications in other languages: the same code over the static runtime, exporting only the
# xnor_* functions (src/c_api/exports.map), with a pkg-config file; its C test and the check of its exports.
# Not in builds of static executables (a board's cross build: Debian's static archives are not position-
# independent) or of the fuzz targets.
option(XNOR_BUILD_C_LIBRARY "Build the C API's shared library libxnor.so" ${PROJECT_IS_TOP_LEVEL})
if(XNOR_BUILD_C_LIBRARY AND NOT XNOR_STATIC_EXECUTABLES AND NOT XNOR_BUILD_FUZZ)
  add_library(xnor_shared SHARED src/c_api/c_api.cpp)
  set_target_properties(xnor_shared PROPERTIES OUTPUT_NAME xnor VERSION ${PROJECT_VERSION} SOVERSION 0
    LINK_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/src/c_api/exports.map)
  target_include_directories(xnor_shared PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(xnor_shared PRIVATE xnor::xnor)
  target_link_options(xnor_shared PRIVATE "-Wl,--version-script=${CMAKE_CURRENT_SOURCE_DIR}/src/c_api/exports.map"
    -Wl,--no-undefined)
  install(TARGETS xnor_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  # The .pc file finds the prefix from its own folder, so the install may be moved (cmake --install --prefix).
  file(RELATIVE_PATH XNOR_PC_PREFIX_FROM_PCFILEDIR "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  configure_file(cmake/xnor.pc.in ${CMAKE_CURRENT_BINARY_DIR}/xnor.pc @ONLY)
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/xnor.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endif()
if(TARGET xnor_shared)
  message(STATUS "xnor C shared library (libxnor.so): ON")
else()
  message(STATUS "xnor C shared library (libxnor.so): OFF")
endif()

if(XNOR_BUILD_TESTS)
  # tests/c_api/c_api_test.c, compiled as C11: through libxnor.so where it is built, else the static runtime.
  enable_language(C)
  add_executable(xnor-c-api-test tests/c_api/c_api_test.c)
  set_target_properties(xnor-c-api-test PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  target_compile_options(xnor-c-api-test PRIVATE -Wall -Wextra -Wpedantic -Werror)
  target_include_directories(xnor-c-api-test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/include)
  if(TARGET xnor_shared)
    target_link_libraries(xnor-c-api-test PRIVATE xnor_shared)
    add_test(NAME c_api.exports COMMAND ${CMAKE_COMMAND} -DLIBRARY=$<TARGET_FILE:xnor_shared>
      -DHEADER=${CMAKE_CURRENT_SOURCE_DIR}/include/xnor/xnor.h -P ${CMAKE_CURRENT_SOURCE_DIR}/tests/c_api/check_exports.cmake)
    set_tests_properties(c_api.exports PROPERTIES PASS_REGULAR_EXPRESSION "libxnor.so exports the [0-9]+ functions of xnor.h and nothing else")
  else()
    target_link_libraries(xnor-c-api-test PRIVATE xnor::xnor)
    set_target_properties(xnor-c-api-test PROPERTIES LINKER_LANGUAGE CXX)
    if(XNOR_STATIC_EXECUTABLES)
      target_link_options(xnor-c-api-test PRIVATE -static)
    endif()
  endif()
  add_test(NAME c_api.test COMMAND xnor-c-api-test ${CMAKE_CURRENT_SOURCE_DIR}/models/fashion-inception-binary.xnm
    ${CMAKE_CURRENT_SOURCE_DIR}/models/samples)
  set_tests_properties(c_api.test PROPERTIES PASS_REGULAR_EXPRESSION "c_api_test: [0-9]+ checks passed")
endif()
