# Helpers shared by every folder's CMakeLists.txt.

# postamt_add_test(NAME SOURCES a_test.cpp ... LIBS lib ...)
# A GoogleTest executable registered with ctest (one ctest entry per test case).
include(GoogleTest)
function(postamt_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
    PROPERTIES ENVIRONMENT "POSTAMT_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# postamt_add_fuzzer(NAME SOURCE f_fuzz.cpp LIBS lib ...)
# A libFuzzer target, built only in the clang fuzz/asan build. Each fuzzer is also
# registered as a short ctest run over its seed corpus so that `make asan` exercises it.
function(postamt_add_fuzzer name)
  cmake_parse_arguments(F "" "" "SOURCE;LIBS;SEEDS" ${ARGN})
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
    add_test(NAME ${name}_seeds COMMAND ${name} -runs=2000 -max_len=65536 ${scratch} ${F_SEEDS})
  endif()
endfunction()
