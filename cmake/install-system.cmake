# Run by `cmake --install` and cpack (cmake/install.cmake): installs the files whose place
# depends on the install prefix as it is at install time. file(INSTALL) adds $DESTDIR
# (cpack installs with DESTDIR set and prefix /usr) and records the files in the manifest.
# Set by install.cmake: POSTAMT_SOURCE_DIR, POSTAMT_STAGING_DIR, POSTAMT_SBINDIR,
# POSTAMT_FAIL2BAN_FILTER (the filter's path, or empty when the tree has none).

# GNUInstallDirs' rule for /usr, with Debian 12's systemd unit folder
# (`pkg-config --variable=systemdsystemunitdir systemd`).
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(etc "/etc")
  set(unit_dir "/lib/systemd/system")
else()
  set(etc "${CMAKE_INSTALL_PREFIX}/etc")
  set(unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()

file(INSTALL ${POSTAMT_SOURCE_DIR}/packaging/postamt.toml DESTINATION ${etc}/postamt
     PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

if(POSTAMT_FAIL2BAN_FILTER)
  file(INSTALL ${POSTAMT_FAIL2BAN_FILTER} DESTINATION ${etc}/fail2ban/filter.d)
endif()

if(NOT IS_ABSOLUTE "${POSTAMT_SBINDIR}")
  set(POSTAMT_SBINDIR "${CMAKE_INSTALL_PREFIX}/${POSTAMT_SBINDIR}")
endif()
set(POSTAMT_CONFIG "${etc}/postamt/postamt.toml")
configure_file(${POSTAMT_SOURCE_DIR}/packaging/postamt.service.in
               ${POSTAMT_STAGING_DIR}/postamt.service @ONLY)
file(INSTALL ${POSTAMT_STAGING_DIR}/postamt.service DESTINATION ${unit_dir})
