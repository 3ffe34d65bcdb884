# The integration tests as CTest entries: each runs a group of test suites in
# a process of its own, which starts its own PostgreSQL and RabbitMQ on first
# use (on free ports, in its own scratch directories), so `ctest -j` runs
# the groups side by side. COST is a rough run time in seconds on a 2-core
# machine: ctest starts the costly entries first, so that the short ones fill
# the gaps at the end. TIMEOUT is several times COST.
#
# A new test suite needs no entry: the last one, `integration.other`, runs
# every suite that no group names. A long new suite deserves a group.

set(CBIT_INTEGRATION_GROUPED "")

# cbit_integration_entry(NAME COST FILTER...): one entry running the tests
# matched by the gtest FILTER patterns.
function(cbit_integration_entry name cost)
  list(JOIN ARGN ":" filter)
  add_test(NAME integration.${name} COMMAND cbit_integration_tests --gtest_filter=${filter})
  math(EXPR timeout "${cost} * 4 + 120")
  set_tests_properties(integration.${name} PROPERTIES COST ${cost} TIMEOUT ${timeout}
                       LABELS integration)
  list(APPEND CBIT_INTEGRATION_GROUPED ${ARGN})
  set(CBIT_INTEGRATION_GROUPED ${CBIT_INTEGRATION_GROUPED} PARENT_SCOPE)
endfunction()

# Builds in a chroot (the first to need the tarball makes it, the others
# wait for it: scripts/make-chroot.sh).
cbit_integration_entry(sbuild_depwait 180 "ClientSbuild.UnsatisfiableBuildDependency*")
# (gtest: every pattern after the first "-" is a negative one.)
cbit_integration_entry(sbuild 110 "ClientSbuild.*" "ClientUpload.*"
                       "-ClientSbuild.UnsatisfiableBuildDependency*"
                       "ClientSbuild.UnshareCross*")
# A real sbuild cross build: sbuild installs crossbuild-essential-arm64 in
# the chroot from the archive.
cbit_integration_entry(sbuild_cross 180 "ClientSbuild.UnshareCross*")
cbit_integration_entry(client_e2e_sbuild 65 "ClientE2e.Sbuild*")
# The isolated builder (its root unpacked once from the same tarball, under
# build/roots; build-dependencies from the archive).
cbit_integration_entry(isolated 120 "IsolatedBuild.*")
# Cross-building in cbit-sandbox: its root, under build/roots-cross, gets
# arm64 and crossbuild-essential-arm64 from the archive once.
cbit_integration_entry(isolated_cross 150 "IsolatedCross.*")
# Broker outages and restarts: mostly waiting for RabbitMQ.
cbit_integration_entry(dispatch_outage 105 "Stores/Dispatch.JobSubmittedWhileTheBrokerIsDown*")
cbit_integration_entry(amqp_pipeline 105 "AmqpPipeline.*")
cbit_integration_entry(amqp 65 "Amqp*" "-AmqpPipeline.*")
# Three RabbitMQ nodes joined into one cluster, one of them killed.
cbit_integration_entry(rabbit_cluster 150 "RabbitCluster.*")
# The rest, by component.
cbit_integration_entry(farm_loop 60 "FarmLoop.*")
cbit_integration_entry(store 50 "Backends/*" "Postgres/*" "PostgresTest.*" "SqliteTest.*"
                       "GroupCommit.*")
cbit_integration_entry(api 45 "Stores/*" "-Stores/Dispatch.JobSubmittedWhileTheBrokerIsDown*")
cbit_integration_entry(watcher 55 "WatcherE2e.*" "Repository.*" "WatcherFailover.*")
cbit_integration_entry(client_e2e 110 "ClientE2e.*" "ClientParallel.*" "ClientProvenance.*"
                       "-ClientE2e.Sbuild*")
cbit_integration_entry(client_host 20 "ClientHostBuild.*" "ClientAptFetch.*")
cbit_integration_entry(hooks 15 "HookTest.*" "WebhookUnconfigured.*")
cbit_integration_entry(cli 40 "Cli.*" "CliLog.*")
# The dashboard in headless Chromium (tests/browser/dashboard_test.py).
cbit_integration_entry(browser 90 "BrowserDashboard.*")

# Everything no group names (a negative filter of every group's patterns).
set(other "")
foreach(pattern IN LISTS CBIT_INTEGRATION_GROUPED)
  if(NOT pattern MATCHES "^-")
    list(APPEND other ${pattern})
  endif()
endforeach()
list(JOIN other ":" other)
add_test(NAME integration.other COMMAND cbit_integration_tests --gtest_filter=-${other})
set_tests_properties(integration.other PROPERTIES COST 1 TIMEOUT 600 LABELS integration)

# The farm as five hosts in network namespaces, each daemon on the config
# its package ships (scripts/multihost-test.sh). Needs root: without it the
# entry fails saying so. Its servers listen in its own namespaces, so it
# runs beside the other entries.
add_test(NAME multihost COMMAND ${CMAKE_SOURCE_DIR}/scripts/multihost-test.sh ${CMAKE_SOURCE_DIR}
                                ${CMAKE_BINARY_DIR})
set_tests_properties(multihost PROPERTIES COST 120 TIMEOUT 600 LABELS "integration;multihost")

# The daemons' log in a private systemd-journald, in a mount namespace of its
# own (scripts/journal-test.sh): the fields cbit adds must be there. Needs
# root, like multihost: without it the entry fails saying so.
add_test(NAME journal COMMAND ${CMAKE_SOURCE_DIR}/scripts/journal-test.sh ${CMAKE_BINARY_DIR})
set_tests_properties(journal PROPERTIES COST 5 TIMEOUT 120 LABELS "integration;journal")
