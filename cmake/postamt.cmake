# Helpers shared by every folder's CMakeLists.txt.

# postamt_add_test(NAME [NO_PCH] SOURCES a_test.cpp ... LIBS lib ...)
# A GoogleTest executable registered with ctest (one ctest entry per test case).
include(GoogleTest)

# GoogleTest and the standard headers every test includes, compiled once and reused by
# every test executable: on 2 cores this takes minutes off a clean build.
add_library(postamt_test_pch STATIC ${CMAKE_CURRENT_LIST_DIR}/test_pch.cpp)
target_link_libraries(postamt_test_pch PUBLIC GTest::gtest GTest::gmock fmt::fmt)
target_precompile_headers(postamt_test_pch PUBLIC
  <gtest/gtest.h> <gmock/gmock.h> <fmt/format.h> <string> <string_view> <vector> <map>
  <memory> <optional> <variant> <chrono> <functional>)

# Helpers every test may use (tests/support: temporary directories, file I/O); never
# linked by product code.
add_library(postamt_test_support INTERFACE)
target_include_directories(postamt_test_support INTERFACE ${PROJECT_SOURCE_DIR}/tests)

# The private PostgreSQL cluster of the C++ suites that need one (ctest fixture
# "postgres", tests/CMakeLists.txt; tests/integration/pg_cluster.py). Its socket lives in
# a short folder under /tmp: Unix socket paths are limited to about 100 octets.
string(MD5 postamt_build_hash "${CMAKE_BINARY_DIR}")
string(SUBSTRING "${postamt_build_hash}" 0 10 postamt_build_hash)
set(POSTAMT_PG_TEST_DIR "${CMAKE_BINARY_DIR}/postgres-test")
set(POSTAMT_PG_TEST_SOCKET "/tmp/postamt-pg-${postamt_build_hash}")

function(postamt_add_test name)
  # NO_PCH: for tests whose flags differ from the shared header (e.g. GMime's defines).
  # POSTGRES: every case needs the "postgres" fixture; POSTAMT_TEST_PG names its server.
  cmake_parse_arguments(T "NO_PCH;POSTGRES" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} postamt_test_support GTest::gtest
    GTest::gtest_main GTest::gmock)
  if(NOT T_NO_PCH)
    target_precompile_headers(${name} REUSE_FROM postamt_test_pch)
  endif()
  if(T_POSTGRES)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
      # Two properties, not one ENVIRONMENT list: gtest_discover_tests splits a ';'
      # inside a property value into separate arguments.
      PROPERTIES ENVIRONMENT "POSTAMT_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
        ENVIRONMENT_MODIFICATION "POSTAMT_TEST_PG=set:host=${POSTAMT_PG_TEST_SOCKET} user=postgres"
      FIXTURES_REQUIRED postgres)
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
      PROPERTIES ENVIRONMENT "POSTAMT_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  endif()
endfunction()

# postamt_add_fuzzer(NAME SOURCE f_fuzz.cpp LIBS lib ... [SEEDS dir ...] [DICT file])
# A libFuzzer target, built only in the clang fuzz/asan build. Each fuzzer is also
# registered as a short ctest run over its seed corpus so that `make asan` exercises it.
# Longer runs: scripts/fuzz and docs/testing.md.
function(postamt_add_fuzzer name)
  cmake_parse_arguments(F "" "DICT" "SOURCE;LIBS;SEEDS" ${ARGN})
  if(NOT POSTAMT_FUZZ)
    return()
  endif()
  add_executable(${name} ${F_SOURCE})
  target_link_libraries(${name} PRIVATE ${F_LIBS})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  if(F_SEEDS)
    # libFuzzer writes new inputs into the FIRST corpus folder: give it a scratch one
    # so that the committed seeds stay as they are.
    set(scratch ${CMAKE_CURRENT_BINARY_DIR}/${name}_corpus)
    file(MAKE_DIRECTORY ${scratch})
    set(dict)
    if(F_DICT)
      set(dict -dict=${F_DICT})
    endif()
    add_test(NAME ${name}_seeds
      COMMAND ${name} -runs=2000 -max_len=65536 ${dict} ${scratch} ${F_SEEDS})
  endif()
endfunction()
