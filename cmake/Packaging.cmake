# Debian packages from this tree (`cpack -G DEB` in a build directory):
#   concierge      the binary and concierge_scheduler, the product plugins, the SDK's shared
#                  client libraries (the plugins link them), the manual page, bash completion,
#                  the Zabbix template and an example systemd backup timer (installed, not enabled)
#   concierge-dev  the SDK headers, the client libraries' link names, the CMake package, the
#                  pkg-config files and the example plugins' sources, to build third-party plugins
#                  against the installed concierge
# Every install() rule without a COMPONENT belongs to the runtime package
# (CMAKE_INSTALL_DEFAULT_COMPONENT_NAME). The install RPATHs are all $ORIGIN-relative, which
# Debian's policy (lintian) accepts.

set(concierge_package_contact "concierge authors <concierge-maintainers@lists.example.org>")
set(concierge_package_release 1)
set(concierge_doc_dir "${CMAKE_INSTALL_DATAROOTDIR}/doc")

install(FILES packaging/systemd/concierge-backup.service packaging/systemd/concierge-backup.timer
  DESTINATION lib/systemd/system)

# Debian wants a copyright file and a compressed changelog in each package's doc folder.
set(changelog "${PROJECT_BINARY_DIR}/packaging/changelog")
configure_file(packaging/debian/changelog.in "${changelog}" @ONLY)
add_custom_command(OUTPUT "${changelog}.Debian.gz"
  COMMAND sh -c "gzip -n -9 -c \"$0\" > \"$0.part\" && mv \"$0.part\" \"$0.Debian.gz\"" "${changelog}"
  DEPENDS "${changelog}" VERBATIM)
add_custom_target(concierge-changelog ALL DEPENDS "${changelog}.Debian.gz")
foreach(component runtime dev)
  set(package concierge)
  if(component STREQUAL "dev")
    set(package concierge-dev)
  endif()
  install(FILES packaging/debian/copyright "${changelog}.Debian.gz"
    DESTINATION "${concierge_doc_dir}/${package}" COMPONENT ${component})
endforeach()
install(DIRECTORY sdk/examples/hello sdk/examples/zabbix-hosts
  DESTINATION "${concierge_doc_dir}/concierge-dev/examples" COMPONENT dev)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME concierge)
set(CPACK_PACKAGE_VENDOR "the concierge authors")
set(CPACK_PACKAGE_CONTACT "${concierge_package_contact}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE ${concierge_package_release})
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://concierge.example.org")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME concierge)
# Depends from the Debian packages of the libraries linked (dpkg-shlibdeps), and a shlibs file
# with the ldconfig trigger for the client libraries third-party plugins link.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA "${PROJECT_SOURCE_DIR}/packaging/debian/triggers")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "plugin-based operations toolkit for Zabbix and Docker
 concierge backs up and restores a Zabbix server's configuration, lists and
 scales Docker Compose and Swarm services, and records every run in a local
 history. Action plugins are loaded through a small, versioned SDK.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME concierge-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION devel)
# The headers use Boost.DLL's alias macro; plugins build with CMake or with pkg-config and g++.
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "concierge (= ${PROJECT_VERSION}-${concierge_package_release}), libboost-dev (>= 1.74), g++ (>= 4:12), cmake (>= 3.25), pkg-config")
set(CPACK_COMPONENT_DEV_DESCRIPTION "SDK to build plugins for concierge
 The headers of concierge's plugin SDK and of its Zabbix and Docker clients,
 with the CMake package (find_package(Concierge)), pkg-config files and the
 example plugins' sources, to build third-party plugins against the
 installed concierge.")
include(CPack)
