# Warnings and sanitizers are INTERFACE targets linked by our own code only.
add_library(sonoria_warnings INTERFACE)
target_compile_options(sonoria_warnings INTERFACE -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local> -Wnon-virtual-dtor)
if(SONORIA_WERROR)
  target_compile_options(sonoria_warnings INTERFACE -Werror)
endif()

if(SONORIA_SANITIZE)
  string(REPLACE "," ";" _sanitizers "${SONORIA_SANITIZE}")
  foreach(_s IN LISTS _sanitizers)
    add_compile_options(-fsanitize=${_s})
    add_link_options(-fsanitize=${_s})
  endforeach()
  # UBSan's vptr, alignment, object-size and pointer-overflow checks triple the compile time of
  # a file (GCC 12, -O1: 17 s at -O2 unsanitized, 29 s with the others, 63 s with these too), which
  # would put CI's one sanitized build over its budget; ASan covers out-of-bounds objects already.
  # SONORIA_UBSAN_THOROUGH keeps every check (scripts/test --sanitize=thorough).
  option(SONORIA_UBSAN_THOROUGH "Every UndefinedBehaviorSanitizer check, also the costly ones" OFF)
  if("undefined" IN_LIST _sanitizers AND NOT SONORIA_UBSAN_THOROUGH)
    add_compile_options(-fno-sanitize=vptr,alignment,object-size,pointer-overflow)
    add_link_options(-fno-sanitize=vptr,alignment,object-size,pointer-overflow)
  endif()
  # A sanitizer report fails the test that caused it: UBSan's default is to print and go on.
  add_compile_options(-fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fno-sanitize-recover=all)
  # GCC's flow analysis sees the sanitizers' instrumentation and reports uninitialised reads inside
  # libstdc++ (std::regex, std::function) that are not there; the unsanitized build keeps the check.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(sonoria_warnings INTERFACE -Wno-maybe-uninitialized)
    # GCC 12 warns that ThreadSanitizer does not model std::atomic_thread_fence, which Asio's
    # handler dispatch uses (it is not ours to change); a race it then misjudged would be reported
    # inside Asio, where we would see it.
    if("thread" IN_LIST _sanitizers)
      target_compile_options(sonoria_warnings INTERFACE -Wno-tsan)
    endif()
  endif()
endif()
