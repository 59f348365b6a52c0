# concierge_add_plugin(NAME SOURCES... [LINK target...] [OUTPUT_DIRECTORY DIR] [SDK target] [INSTALL])
#
# Builds a plugin library named concierge-NAME.so, the file name the core looks for when a user
# types `concierge NAME`. Used by this repository and, through find_package(Concierge), by
# third-party plugins.
#   OUTPUT_DIRECTORY  where the library is built; default CONCIERGE_BUILD_PLUGIN_DIR when set
#                     (this tree: the build tree's plugin folder, found by the build-tree binary),
#                     else CMake's usual place
#   SDK               the SDK target compiled against instead of Concierge::sdk (the ABI
#                     compatibility test passes a frozen copy of an earlier release's headers)
#   INSTALL           install it into concierge's plugin folder (CONCIERGE_PLUGIN_INSTALL_DIR)
function(concierge_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "INSTALL" "OUTPUT_DIRECTORY;SDK" "SOURCES;LINK")
  set(target "concierge-plugin-${name}")
  add_library(${target} MODULE ${arg_SOURCES} ${arg_UNPARSED_ARGUMENTS})
  # Plugins live in <prefix>/lib/concierge/plugins and find concierge's shared clients
  # (libconcierge_zabbix.so) two levels up, in lib/, in the build tree and the install tree alike.
  set_target_properties(${target} PROPERTIES PREFIX "" OUTPUT_NAME "concierge-${name}"
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON INSTALL_RPATH "$ORIGIN/../..")
  if(NOT arg_OUTPUT_DIRECTORY AND CONCIERGE_BUILD_PLUGIN_DIR)
    set(arg_OUTPUT_DIRECTORY "${CONCIERGE_BUILD_PLUGIN_DIR}")
  endif()
  if(arg_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${arg_OUTPUT_DIRECTORY}")
  endif()
  if(NOT arg_SDK)
    set(arg_SDK Concierge::sdk)
  endif()
  target_link_libraries(${target} PRIVATE ${arg_SDK} ${arg_LINK})
  # Unresolved symbols are a build error, not a load-time surprise.
  target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  if(arg_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${CONCIERGE_PLUGIN_INSTALL_DIR}")
  endif()
endfunction()
