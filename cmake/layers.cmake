# The layer diagram of docs/architecture.md as data, and the map that lets a test hold
# the code to it.
#
# Every library target has a floor. A target may link only targets on lower floors
# (arrows point down), and a product file may #include only headers of its own target
# or of targets its links reach (tests/layers/check_layers.py; ctest "layers").
set(POSTAMT_FLOORS
  # foundations: values, bytes and sockets, no mail state
  postamt_base=0 postamt_metrics=0
  postamt_model=1
  postamt_mime=2 postamt_net=2 postamt_auth=2 postamt_dns=2
  # mail authentication: DKIM, SPF, DMARC, ARC over the DNS interface; the MX checks
  postamt_dkim=3 postamt_spf=3 postamt_dmarc=3 postamt_arc=4 postamt_mailauth=5
  # the HTTP/1.1 session the JMAP engine and the webmail answer through
  postamt_http=3
  # codecs: bytes <-> typed values, foundations only
  postamt_smtp_proto=3 postamt_imap_proto=3 postamt_pop3_proto=3
  postamt_jmap_proto=3 postamt_autoconfig_proto=3
  # the store and the blob store, in mail words
  postamt_store_api=3 postamt_blob=3
  postamt_store_sql=4 postamt_store_memory=4
  postamt_store_sqlite=5 postamt_store_postgres=5
  # the mail core
  postamt_mail=6
  postamt_delivery=7
  postamt_jmap_email=7
  postamt_mdn=8
  postamt_vacation=8
  # engines (and the SMTP client the queue engine uses)
  postamt_smtp_client=8
  postamt_smtp_server=9 postamt_pop3_session=9 postamt_imap_session=9 postamt_queue=9
  postamt_jmap=9
  postamt_webmail=9
  postamt_autoconfig=9
  # the admin CLI's commands, then the wiring
  postamt_admin=10
  postamt_app=11
  # test support: above what it fakes, below nothing a product target links
  postamt_net_testing=3 postamt_store_postgres_testing=6 postamt_delivery_testing=8 postamt_test_pch=0 postamt_test_support=0)

function(postamt_collect_targets dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub ${subdirs})
    postamt_collect_targets(${sub} more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# Writes `path`: one line per fact, tab-separated, paths relative to the source tree:
#   target <name> <type> <floor> <folder>
#   source <name> <file>
#   link <name> <dependency> <public|private>
# Fails the configure step for a library target without a floor above.
function(postamt_write_layer_map path)
  postamt_collect_targets(${PROJECT_SOURCE_DIR} all)
  set(lines "")
  foreach(t ${all})
    get_target_property(type ${t} TYPE)
    if(NOT type MATCHES "LIBRARY" OR NOT t MATCHES "^postamt_")
      continue()
    endif()
    set(floor "")
    foreach(entry ${POSTAMT_FLOORS})
      if(entry MATCHES "^${t}=([0-9]+)$")
        set(floor ${CMAKE_MATCH_1})
      endif()
    endforeach()
    if(floor STREQUAL "")
      message(FATAL_ERROR "${t}: no floor in cmake/layers.cmake (docs/architecture.md)")
    endif()
    get_target_property(dir ${t} SOURCE_DIR)
    file(RELATIVE_PATH rel_dir ${PROJECT_SOURCE_DIR} ${dir})
    string(APPEND lines "target\t${t}\t${type}\t${floor}\t${rel_dir}\n")
    get_target_property(sources ${t} SOURCES)
    if(sources)
      foreach(s ${sources})
        if(NOT IS_ABSOLUTE ${s})
          set(s ${dir}/${s})
        endif()
        get_filename_component(s ${s} ABSOLUTE)
        file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${s})
        string(APPEND lines "source\t${t}\t${rel}\n")
      endforeach()
    endif()
    set(public "")
    get_target_property(interface ${t} INTERFACE_LINK_LIBRARIES)
    if(interface)
      foreach(l ${interface})
        if(l MATCHES "^postamt_")
          list(APPEND public ${l})
        endif()
      endforeach()
    endif()
    set(direct "")
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(direct ${t} LINK_LIBRARIES)
    endif()
    set(seen "")
    foreach(l ${public} ${direct})
      if(NOT l MATCHES "^postamt_" OR l IN_LIST seen)
        continue()
      endif()
      list(APPEND seen ${l})
      if(l IN_LIST public)
        string(APPEND lines "link\t${t}\t${l}\tpublic\n")
      else()
        string(APPEND lines "link\t${t}\t${l}\tprivate\n")
      endif()
    endforeach()
  endforeach()
  file(WRITE ${path} "${lines}")
endfunction()
