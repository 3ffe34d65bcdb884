#!/bin/bash
# After a failed ctest run: the failing assertions of each failed test, short,
# so that they are the last thing a (possibly truncated) CI log shows.
# Usage: scripts/test-failures.sh BUILD_DIR
set -euo pipefail
log="${1:?usage: test-failures.sh BUILD_DIR}/Testing/Temporary/LastTest.log"
[ -r "$log" ] || { echo "test-failures: no $log" >&2; exit 0; }
echo "=== failing assertions (from $log) ==="
# gtest prints "file:line: Failure" and the explanation after it; a crash or
# sanitizer report has no such line, so its first lines are shown instead.
awk '
  /^[0-9]+\/[0-9]+ Testing: / { test = substr($0, index($0, ":") + 2) }
  /: Failure$/ { print "--- " test; n = 10 }
  /\[  FAILED  \]/ { print test ": " $0; n = 0; next }
  /ERROR: (Address|Undefined|Thread|Leak)Sanitizer|runtime error:|terminate called|Segmentation fault/ {
    print "--- " test; n = 6 }
  n > 0 { print; n-- }
' "$log" | head -n 200
