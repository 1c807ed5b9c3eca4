# The Python module `xnor` (src/python/module.cpp), built where pybind11 is installed (Debian: pybind11-dev,
# python3-dev): build/python/xnor.cpython-*.so, so that PYTHONPATH=build/python imports it.
#
# Not in a cross build (the module must load into this machine's Python) and not in a sanitized one (a
# sanitizer's runtime cannot be loaded into a plain python3).

set(XNOR_PYTHON OFF)
if(NOT CMAKE_CROSSCOMPILING AND NOT CMAKE_CXX_FLAGS MATCHES "sanitize")
  # Debian's interpreter, not whichever python3 comes first on PATH (pyenv's, say): the module is built for
  # one interpreter's ABI, and Debian's numpy is the one installed for it. -DPython_EXECUTABLE=... overrides.
  if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python_EXECUTABLE /usr/bin/python3)
  endif()
  find_package(Python 3.8 QUIET COMPONENTS Interpreter Development.Module)
  # With Python found first, pybind11 uses CMake's FindPython (its "new" mode) and the same interpreter.
  if(Python_FOUND)
    find_package(pybind11 CONFIG QUIET)
  endif()
  if(Python_FOUND AND pybind11_FOUND)
    set(XNOR_PYTHON ON)
  endif()
endif()
message(STATUS "xnor Python module: ${XNOR_PYTHON}")

if(XNOR_PYTHON)
  # convert() reads its input as `xnor convert` does (src/cli/model_source.cpp: an .xnm file or a built-in
  # network), from the CLI's own source.
  # NO_EXTRAS: no link-time optimization of the module alone (the libraries are not LTO objects).
  pybind11_add_module(xnor_python MODULE NO_EXTRAS src/python/module.cpp src/cli/model_source.cpp)
  set_target_properties(xnor_python PROPERTIES OUTPUT_NAME xnor LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/python)
  target_include_directories(xnor_python PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_definitions(xnor_python PRIVATE XNOR_MODELS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/models")
  target_compile_options(xnor_python PRIVATE -Wall -Wextra)
  target_link_libraries(xnor_python PRIVATE xnor::tools)
  if(TARGET xnor_onnx)
    target_link_libraries(xnor_python PRIVATE xnor_onnx)
    target_compile_definitions(xnor_python PRIVATE XNOR_HAVE_ONNX)
  endif()

  # Where the interpreter looks under the prefix: Debian's python3 reads /usr/lib/python3.X/dist-packages
  # and /usr/local/lib/python3.X/dist-packages (lib, never the multiarch libdir, whose python3/dist-packages
  # is on no sys.path).
  set(XNOR_PYTHON_INSTALL_DIR "lib/python${Python_VERSION_MAJOR}.${Python_VERSION_MINOR}/dist-packages"
    CACHE PATH "Where `make install` puts the Python module, under the prefix")
  install(TARGETS xnor_python LIBRARY DESTINATION ${XNOR_PYTHON_INSTALL_DIR})

  if(XNOR_BUILD_TESTS)
    enable_testing()  # add_test does nothing before it; the tests section calls it again, harmlessly
    # One ctest per test class of tests/python/test_xnor.py. The comparison with `xnor run` needs the CLI,
    # whose target is defined after this file: XNOR_CLI is empty (that class skips) in a build without it.
    set(xnor_python_classes Errors Arrays Images Threads Agreement CliAgreement)
    if(TARGET xnor_onnx)
      list(APPEND xnor_python_classes Convert)
    endif()
    foreach(class IN LISTS xnor_python_classes)
      string(REGEX REPLACE "([a-z])([A-Z])" "\\1_\\2" name "${class}")
      string(TOLOWER "${name}" name)
      add_test(NAME python.${name} COMMAND ${Python_EXECUTABLE}
        ${CMAKE_CURRENT_SOURCE_DIR}/tests/python/test_xnor.py -v ${class}Test)
      set_tests_properties(python.${name} PROPERTIES ENVIRONMENT
        "PYTHONPATH=${CMAKE_BINARY_DIR}/python;XNOR_CLI=$<$<TARGET_EXISTS:xnor_cli>:$<TARGET_FILE:xnor_cli>>")
    endforeach()
  endif()
endif()
