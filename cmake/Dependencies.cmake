# Every dependency comes from a Debian package (scripts/bootstrap installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED COMPONENTS url system CONFIG)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
# Expat reads the TwiML that `simulate` and the fakes play (core/twilio/xml_reader.cpp).
find_package(EXPAT REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(tomlplusplus 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(doctest REQUIRED)
find_package(date REQUIRED)
# libphonenumber reads every phone number a person types (core/phone/phone_number.cpp, the only
# file that includes it). No CMake or pkg-config file ships with Debian's; scripts/bootstrap says
# why its headers may be under /usr/local. Its header needs protobuf's and Abseil's headers.
find_path(PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h REQUIRED)
find_library(PHONENUMBER_LIBRARY phonenumber REQUIRED)
find_package(Protobuf REQUIRED)
add_library(sonoria_libphonenumber INTERFACE)
target_include_directories(sonoria_libphonenumber SYSTEM INTERFACE ${PHONENUMBER_INCLUDE_DIR} ${Protobuf_INCLUDE_DIRS})
target_link_libraries(sonoria_libphonenumber INTERFACE ${PHONENUMBER_LIBRARY} ${Protobuf_LIBRARIES})
# espeak-ng synthesises `sonoria simulate --say` turns; it ships a pkg-config file, not a CMake one.
find_package(PkgConfig REQUIRED)
pkg_check_modules(ESPEAK_NG REQUIRED IMPORTED_TARGET espeak-ng)
# libsystemd: sd_notify (readiness, reload, watchdog, drain) and socket activation in daemon/.
# PocketSphinx is the local engine's speech recogniser (core/engine/local); also pkg-config only.
# Debian's pocketsphinx.pc names /usr/include/sphinxbase, which libsphinxbase-dev does not create
# (its headers are under the multiarch folder): the target takes only the folders that exist.
pkg_check_modules(POCKETSPHINX REQUIRED pocketsphinx)
set(_pocketsphinx_includes)
foreach(_dir IN LISTS POCKETSPHINX_INCLUDE_DIRS)
  if(EXISTS "${_dir}")
    list(APPEND _pocketsphinx_includes "${_dir}")
  endif()
endforeach()
add_library(sonoria_pocketsphinx INTERFACE)
target_include_directories(sonoria_pocketsphinx SYSTEM INTERFACE ${_pocketsphinx_includes})
target_link_libraries(sonoria_pocketsphinx INTERFACE ${POCKETSPHINX_LINK_LIBRARIES})
pkg_check_modules(LIBSYSTEMD REQUIRED IMPORTED_TARGET libsystemd)

# Asio and Beast are compiled once, in core/net/asio_impl.cpp; everything that includes
# them links this target to get the same configuration.
add_library(sonoria_asio STATIC ${PROJECT_SOURCE_DIR}/core/net/asio_impl.cpp)
target_compile_definitions(sonoria_asio PUBLIC
  BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(sonoria_asio PUBLIC Boost::headers Boost::system OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
# libpq: the PostgreSQL backend (core/db/postgresql.cpp, the only file that includes it).
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
