# Installing sonoria like a daemon (`cmake --install`) and the Debian package (`scripts/package`,
# CPack). What goes where and why: packaging/README.md.
#
#   <prefix>/bin/sonoria                          the binary
#   <prefix>/share/man/man1/*.1                   man pages
#   <prefix>/share/{bash-completion,zsh,fish}/…   shell completions
#   <prefix>/share/doc/sonoria/                   README, README.install.md, LICENSE, THIRD_PARTY_NOTICES.md,
#                                                 examples/*.toml
#   SONORIA_SYSTEMD_UNIT_DIR/sonoria.{service,socket}   the unit names <prefix>/bin/sonoria
#   SONORIA_CONFIG_DIR/sonoria.toml               examples/sonoria.toml for a system install
include(GNUInstallDirs)

# systemd's own answer where it has one (Debian 12: /lib/systemd/system); the same otherwise.
set(_sonoria_unit_dir /lib/systemd/system)
if(PKG_CONFIG_FOUND)
  pkg_get_variable(_sonoria_systemd_unit_dir systemd systemdsystemunitdir)
  if(_sonoria_systemd_unit_dir)
    set(_sonoria_unit_dir "${_sonoria_systemd_unit_dir}")
  endif()
endif()
set(SONORIA_SYSTEMD_UNIT_DIR "${_sonoria_unit_dir}" CACHE PATH "Where the systemd units are installed (absolute)")
set(SONORIA_CONFIG_DIR /etc/sonoria CACHE PATH "Where the system configuration is installed (absolute)")
set(SONORIA_PACKAGE_MAINTAINER "sonoria maintainers <maintainers@sonoria.invalid>" CACHE STRING
    "The Debian package's Maintainer field")
# systemd's StateDirectory=sonoria: fixed by the unit, not by the prefix.
set(SONORIA_STATE_DIR /var/lib/sonoria)

set(_sonoria_file_mode OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

install(TARGETS sonoria RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

file(GLOB _sonoria_man_pages CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/man/*.1)
install(FILES ${_sonoria_man_pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 PERMISSIONS ${_sonoria_file_mode})

install(FILES ${PROJECT_SOURCE_DIR}/completions/sonoria.bash RENAME sonoria
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions PERMISSIONS ${_sonoria_file_mode})
install(FILES ${PROJECT_SOURCE_DIR}/completions/_sonoria
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions PERMISSIONS ${_sonoria_file_mode})
install(FILES ${PROJECT_SOURCE_DIR}/completions/sonoria.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d PERMISSIONS ${_sonoria_file_mode})

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} PERMISSIONS ${_sonoria_file_mode})
# The licence and what the binary links, with theirs (Debian policy: the package carries them).
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/THIRD_PARTY_NOTICES.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} PERMISSIONS ${_sonoria_file_mode})
install(FILES ${PROJECT_SOURCE_DIR}/packaging/README.md RENAME README.install.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR} PERMISSIONS ${_sonoria_file_mode})
file(GLOB _sonoria_examples CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/examples/*.toml)
install(FILES ${_sonoria_examples} DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples PERMISSIONS ${_sonoria_file_mode})

# The system configuration is examples/sonoria.toml with the database in the state directory, so
# it documents every key exactly as the example does and cannot fall behind it. It listens on
# 127.0.0.1:8080 (the example's default) behind a reverse proxy or sonoria.socket.
set(_sonoria_example_config ${PROJECT_SOURCE_DIR}/examples/sonoria.toml)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_sonoria_example_config})
file(READ ${_sonoria_example_config} _sonoria_config_text)
set(_sonoria_db_line_regex "\n\\[database\\]\npath = \"\"[^\n]*")
string(REGEX MATCHALL "${_sonoria_db_line_regex}" _sonoria_db_lines "${_sonoria_config_text}")
list(LENGTH _sonoria_db_lines _sonoria_db_line_count)
string(FIND "${_sonoria_config_text}" "\nlisten = \"127.0.0.1:8080\"" _sonoria_listen_at)
if(NOT _sonoria_db_line_count EQUAL 1 OR _sonoria_listen_at EQUAL -1)
  message(FATAL_ERROR "cmake/Packaging.cmake: examples/sonoria.toml no longer has `[database]` followed by "
                      "`path = \"\"` and `listen = \"127.0.0.1:8080\"`: adapt the system configuration to it")
endif()
string(REGEX REPLACE "${_sonoria_db_line_regex}"
       "\n[database]\npath = \"${SONORIA_STATE_DIR}/sonoria.db\"   # the service's StateDirectory; recordings, journal and control socket go beside it"
       _sonoria_config_text "${_sonoria_config_text}")
set(_sonoria_system_config ${CMAKE_BINARY_DIR}/packaging/sonoria.toml)
file(WRITE ${_sonoria_system_config}.in
"# ${SONORIA_CONFIG_DIR}/sonoria.toml: sonoria's configuration as a system service, read by
#   sonoria --config ${SONORIA_CONFIG_DIR}/sonoria.toml serve
# (sonoria.service, as the user sonoria). `systemctl reload sonoria` re-reads it. The Debian
# package keeps your changes on upgrade (a conffile). Run the CLI as the service's user, so that
# what it writes stays the daemon's:
#   runuser -u sonoria -- sonoria --config ${SONORIA_CONFIG_DIR}/sonoria.toml org list
# Secrets (OPENAI_API_KEY, TWILIO_AUTH_TOKEN, …) belong in ${SONORIA_CONFIG_DIR}/environment
# (mode 0600; KEY=value lines, read by systemd), not in this file, which everyone may read.
# Below: examples/sonoria.toml, with the database under ${SONORIA_STATE_DIR}.
#
${_sonoria_config_text}")
configure_file(${_sonoria_system_config}.in ${_sonoria_system_config} COPYONLY)
install(FILES ${_sonoria_system_config} DESTINATION ${SONORIA_CONFIG_DIR} PERMISSIONS ${_sonoria_file_mode})

# The unit names the installed binary, and the prefix is known only when installing
# (`cmake --install --prefix`, or CPack's /usr): it is configured then, not now.
if(IS_ABSOLUTE "${CMAKE_INSTALL_BINDIR}")
  set(_sonoria_bindir_at_install "${CMAKE_INSTALL_BINDIR}")
else()
  set(_sonoria_bindir_at_install "\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}")
endif()
set(_sonoria_unit ${CMAKE_BINARY_DIR}/packaging/sonoria.service)
install(CODE "
  set(CMAKE_INSTALL_FULL_BINDIR \"${_sonoria_bindir_at_install}\")
  set(SONORIA_CONFIG_DIR \"${SONORIA_CONFIG_DIR}\")
  configure_file(\"${PROJECT_SOURCE_DIR}/packaging/systemd/sonoria.service.in\" \"${_sonoria_unit}\" @ONLY)
  file(INSTALL DESTINATION \"${SONORIA_SYSTEMD_UNIT_DIR}\" TYPE FILE
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
       FILES \"${_sonoria_unit}\" \"${PROJECT_SOURCE_DIR}/packaging/systemd/sonoria.socket\")
")

# The install layout, checked in a throwaway root (fast, no root needed; the .deb is not built
# here: scripts/package builds it and runs the same check on it).
add_test(NAME package_install_layout COMMAND ${PROJECT_SOURCE_DIR}/tests/package/check_layout.sh ${CMAKE_BINARY_DIR})
set_tests_properties(package_install_layout PROPERTIES
  ENVIRONMENT "CMAKE=${CMAKE_COMMAND}" TIMEOUT 120)

# The Debian package: `cpack -G DEB` in the build folder (scripts/package).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sonoria)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CONTACT "${SONORIA_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "AI phone receptionist and voice-agent gateway for Twilio")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "sonoria answers a business's Twilio number with a speech engine (OpenAI Realtime,\n"
  "Deepgram Voice Agent, Ultravox, or a local one), builds its prompt from the\n"
  "business's profile, carries out its tool calls and records every call with its\n"
  "transcript. It runs as the systemd service sonoria.service, which this package\n"
  "installs but does not start.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The libraries come from dpkg-shlibdeps (dpkg-dev); the data the daemon reads at run time, the
# trust store, the time zones and adduser (postinst) are named here.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, ca-certificates, espeak-ng-data, pocketsphinx-en-us, tzdata")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "systemd")
set(_sonoria_conffiles ${CMAKE_BINARY_DIR}/packaging/conffiles)
file(CONFIGURE OUTPUT ${_sonoria_conffiles} CONTENT "${SONORIA_CONFIG_DIR}/sonoria.toml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${_sonoria_conffiles}
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
