# What `cmake --install` puts where; debian/*.install only sorts these files
# into packages. The daemons go to sbin (an administrator starts them), the
# command line and the hook to bin.
include(GNUInstallDirs)

# Where systemd units go: Debian 12's debhelper looks in /lib/systemd/system.
set(CBIT_SYSTEMD_UNIT_DIR /lib/systemd/system CACHE PATH "systemd system unit directory")

install(TARGETS cbit-web cbit-client cbit-watcher RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS cbit cbit-hook RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS hooks/git-post-receive hooks/svn-post-commit hooks/procmail-changes
        DESTINATION ${CMAKE_INSTALL_DATADIR}/cbit/hooks)
install(FILES hooks/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/cbit/hooks)
install(FILES docs/man/cbit.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# Example configurations without secrets; the packages mark them conffiles.
install(FILES dist/etc/web.json dist/etc/watcher.json dist/etc/hook.json
        DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/cbit)
install(FILES dist/etc/client.json DESTINATION ${CMAKE_INSTALL_DATADIR}/cbit/examples)
install(FILES dist/systemd/cbit-web.service dist/systemd/cbit-client@.service
              dist/systemd/cbit-watcher.service
        DESTINATION ${CBIT_SYSTEMD_UNIT_DIR})

# Man pages from each program's --help, which is where cbit documents its
# options and config keys (one source of truth).
if(CBIT_MAN_PAGES)
  find_program(HELP2MAN help2man REQUIRED)
  set(man_pages "")
  foreach(entry "cbit-web;8;the cbit controller: REST API, job store and dispatch"
                "cbit-client;8;a cbit build client" "cbit-watcher;8;the cbit repository watcher"
                "cbit-hook;1;submit commits and uploads to a cbit controller")
    list(GET entry 0 prog)
    list(GET entry 1 section)
    list(GET entry 2 what)
    set(page ${CMAKE_BINARY_DIR}/man/${prog}.${section})
    add_custom_command(
      OUTPUT ${page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
      COMMAND ${HELP2MAN} --no-info --no-discard-stderr --section=${section}
              --version-string=${PROJECT_VERSION} --name=${what} --output=${page}
              $<TARGET_FILE:${prog}>
      DEPENDS ${prog}
      VERBATIM)
    list(APPEND man_pages ${page})
    install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  endforeach()
  add_custom_target(man-pages ALL DEPENDS ${man_pages})
endif()
