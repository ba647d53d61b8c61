# What `cmake --install build` puts where (README.md, "Installing on a server"), and the
# manual pages. Relative destinations follow the install prefix; the configuration, the
# fail2ban filter and the systemd unit follow it at install time (install-system.cmake),
# so that a package built from any build folder (cpack installs with prefix /usr) puts
# them in /etc and /lib/systemd/system whatever prefix the folder was configured with.
#
#   PREFIX/sbin/postamt                        the server and admin command (a daemon: sbin)
#   PREFIX/share/man/man8/postamt.8.gz         from `postamt --help` (scripts/make-man)
#   PREFIX/share/man/man5/postamt.toml.5.gz    from docs/configuration.md
#   PREFIX/share/doc/postamt/                  README.md, docs/*.md, docs/protocols/*.md
#   PREFIX/share/doc/postamt/examples/         postamt.toml, fail2ban/jail.d/postamt.conf
#   ETC/postamt/postamt.toml                   packaging/postamt.toml (a conffile)
#   ETC/fail2ban/filter.d/postamt.conf         contrib/fail2ban/filter.d/postamt.conf
#   UNITDIR/postamt.service                    packaging/postamt.service.in
# with ETC = /etc and UNITDIR = /lib/systemd/system when PREFIX is /usr, else PREFIX/etc
# and PREFIX/lib/systemd/system.
include(GNUInstallDirs)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

# `install` (and cpack's install step) do not build every test program first; the
# Makefile's `deb` target builds what is installed.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

if(TARGET postamt)
  # build/postamt.8 beside build/postamt: `man -l build/postamt.8`.
  set(POSTAMT_MAN_DIR ${CMAKE_BINARY_DIR})
  add_custom_command(
    OUTPUT ${POSTAMT_MAN_DIR}/postamt.8 ${POSTAMT_MAN_DIR}/postamt.toml.5
           ${POSTAMT_MAN_DIR}/postamt.8.gz ${POSTAMT_MAN_DIR}/postamt.toml.5.gz
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/scripts/make-man
            --binary $<TARGET_FILE:postamt> --version ${PROJECT_VERSION}
            --configuration ${PROJECT_SOURCE_DIR}/docs/configuration.md
            --out ${POSTAMT_MAN_DIR}
    DEPENDS postamt ${PROJECT_SOURCE_DIR}/scripts/make-man
            ${PROJECT_SOURCE_DIR}/docs/configuration.md
    COMMENT "Writing the manual pages postamt.8 and postamt.toml.5"
    VERBATIM)
  add_custom_target(postamt_man ALL
    DEPENDS ${POSTAMT_MAN_DIR}/postamt.8 ${POSTAMT_MAN_DIR}/postamt.toml.5)

  install(TARGETS postamt RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
  # Compressed, as Debian policy §12.1 asks (gzip -9n: no name, no time stamp).
  install(FILES ${POSTAMT_MAN_DIR}/postamt.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
  install(FILES ${POSTAMT_MAN_DIR}/postamt.toml.5.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
endif()

file(GLOB postamt_docs ${PROJECT_SOURCE_DIR}/docs/*.md)
file(GLOB postamt_protocol_docs ${PROJECT_SOURCE_DIR}/docs/protocols/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${postamt_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${postamt_protocol_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR}/protocols)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/postamt.toml
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
# The fail2ban filter and jail example (contrib/fail2ban/), where the tree has them: the
# globs are checked again at every build, so files added later are picked up.
file(GLOB POSTAMT_FAIL2BAN_FILTER CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/contrib/fail2ban/filter.d/postamt.conf)
file(GLOB POSTAMT_FAIL2BAN_JAIL CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/contrib/fail2ban/jail.d/postamt.conf)
if(POSTAMT_FAIL2BAN_JAIL)
  install(FILES ${POSTAMT_FAIL2BAN_JAIL} DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/fail2ban/jail.d)
endif()

install(CODE "set(POSTAMT_SOURCE_DIR \"${PROJECT_SOURCE_DIR}\")
set(POSTAMT_STAGING_DIR \"${CMAKE_BINARY_DIR}/install-system\")
set(POSTAMT_SBINDIR \"${CMAKE_INSTALL_SBINDIR}\")
set(POSTAMT_FAIL2BAN_FILTER \"${POSTAMT_FAIL2BAN_FILTER}\")")
install(SCRIPT ${CMAKE_CURRENT_LIST_DIR}/install-system.cmake)
