# sonoria_unity(TARGET): eight source files to a translation unit (SONORIA_UNITY, on by default).
# Most of a file's compile time is the headers it shares with its neighbours (nlohmann/json, Asio,
# date/tz) and the inline code they instantiate, parsed and optimised once per translation unit:
# eight core/db files take 19 s one by one and 8.7 s as one. File-local names (anonymous
# namespaces, statics) must therefore differ between the files of one folder.
option(SONORIA_UNITY "Compile eight source files to a translation unit" ON)
function(sonoria_unity target)
  if(SONORIA_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE BATCH UNITY_BUILD_BATCH_SIZE 8)
    # A class holding a type of its file's anonymous namespace is fine in a .cpp; GCC only warns
    # because the unity file includes the .cpp as if it were a header.
    target_compile_options(${target} PRIVATE $<$<CXX_COMPILER_ID:GNU>:-Wno-subobject-linkage>)
  endif()
endfunction()

# sonoria_core_module(NAME [DEPS ...]): core/NAME/*.cpp becomes the static library sonoria_NAME.
# Subfolders belong to the module (core/engine/openai/*.cpp is part of sonoria_engine).
# Includes are rooted at the project: #include "core/NAME/file.hpp".
function(sonoria_core_module name)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE _sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/core/${name}/*.cpp)
  list(FILTER _sources EXCLUDE REGEX ".*/asio_impl\\.cpp$")
  if(_sources)
    add_library(sonoria_${name} STATIC ${_sources})
    target_include_directories(sonoria_${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(sonoria_${name} PUBLIC ${M_DEPS} PRIVATE sonoria_warnings)
    sonoria_unity(sonoria_${name})
  else()
    add_library(sonoria_${name} INTERFACE)
    target_include_directories(sonoria_${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(sonoria_${name} INTERFACE ${M_DEPS})
  endif()
endfunction()

# sonoria_test_code(TARGET): the target is test code (tests, fakes, their helpers), built at -O1
# in an optimised build. The code under test keeps -O2; the tests' own code gains nothing at run
# time from -O2 and costs half again as long to compile (tests/support/http_test_client.cpp:
# 95 s at -O2, 55 s at -O1; a fake engine 34 s against 27 s). The last -O on the line wins.
#
# In a sanitized build the tests' own code is compiled without the sanitizers (and linked with
# their runtimes): they check the code under test, which the tests drive, and instrumenting the
# fakes and test files as well took 40 % of the sanitized build (CI builds only that one). Not so
# for ThreadSanitizer: an atomic in uninstrumented code is no synchronisation to it, so a test's
# flag published to the daemon's threads would be reported as a race.
function(sonoria_test_code target)
  target_compile_options(${target} PRIVATE $<$<CONFIG:Release,RelWithDebInfo>:-O1>)
  if(SONORIA_SANITIZE AND NOT SONORIA_SANITIZE MATCHES "thread")
    target_compile_options(${target} PRIVATE -fno-sanitize=all)
  endif()
endfunction()

# sonoria_unit_tests(NAME DEPS ...): tests/unit/core_NAME_*.cpp (or daemon_/cli_ prefixed) become
# the doctest executable unit_NAME, registered with CTest.
function(sonoria_unit_tests name)
  cmake_parse_arguments(T "" "" "PATTERN;DEPS" ${ARGN})
  if(NOT T_PATTERN)
    set(T_PATTERN "core_${name}_*.cpp")
  endif()
  set(_sources)
  foreach(_pattern IN LISTS T_PATTERN)
    file(GLOB _found CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/unit/${_pattern})
    list(APPEND _sources ${_found})
  endforeach()
  if(NOT _sources)
    return()
  endif()
  add_executable(unit_${name} ${_sources})
  target_link_libraries(unit_${name} PRIVATE ${T_DEPS} sonoria_doctest_main doctest::doctest sonoria_test_support sonoria_warnings)
  sonoria_test_code(unit_${name})
  # Eight test files to a translation unit: the headers they share (nlohmann/json, doctest, the
  # module's own) are parsed an eighth as often. Each file's local helpers need their own names.
  set_target_properties(unit_${name} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE BATCH UNITY_BUILD_BATCH_SIZE 8)
  add_test(NAME unit_${name} COMMAND unit_${name})
  set_tests_properties(unit_${name} PROPERTIES ENVIRONMENT
    "SONORIA_SOURCE_DIR=${PROJECT_SOURCE_DIR};SONORIA_BINARY=$<TARGET_FILE:sonoria>")
endfunction()
