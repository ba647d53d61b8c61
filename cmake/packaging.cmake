# `make deb` -> build/postamt_VERSION_amd64.deb: CPack's DEB generator over the install
# rules of cmake/install.cmake, with the maintainer scripts of packaging/debian/
# (README.md, "Installing on a server"; packaging/README.md says what each script does).
# The version is the project's; Depends is computed by dpkg-shlibdeps (Debian dpkg-dev)
# from the binary's libraries, plus adduser for postinst.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "postamt")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "Postamt")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "mail server: SMTP, IMAP, POP3, JMAP and webmail, with read receipts done right")
# The long description; CPack puts the summary above it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Postamt is one server for an organisation's mail: SMTP (MX, authenticated
submission, an outbound queue), POP3, IMAP4rev1/IMAP4rev2, JMAP and a webmail over
one embedded store (SQLite and files under /var/lib/postamt). It sends at most one
read receipt per message and recipient across every protocol and client.
.
After installing, add a domain and its users (postamt domain add, postamt user
add) and restart the service: until the first domain exists the server listens
on loopback addresses only.")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "Postamt maintainers <maintainers@postamt.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION "mail")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "amd64")
# postamt_VERSION_amd64.deb (Debian's name; no revision of our own).
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# dns-root-data: the DNSSEC root trust anchor [dns] trust_anchor_file reads by default.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, dns-root-data")
set(CPACK_DEBIAN_COMPRESSION_TYPE "xz")
set(CPACK_STRIP_FILES TRUE)

# /etc files are conffiles (Debian policy §10.7.3): dpkg keeps an admin's changes on
# upgrade and removes them only on purge.
set(postamt_conffiles "/etc/postamt/postamt.toml\n")
if(POSTAMT_FAIL2BAN_FILTER)  # cmake/install.cmake
  string(APPEND postamt_conffiles "/etc/fail2ban/filter.d/postamt.conf\n")
endif()
file(WRITE ${CMAKE_BINARY_DIR}/packaging/conffiles "${postamt_conffiles}")

set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm
    ${CMAKE_BINARY_DIR}/packaging/conffiles)
# Maintainer scripts 0755, conffiles 0644, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
