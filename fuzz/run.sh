#!/bin/bash
# Runs each libFuzzer target of BUILD_DIR/fuzz on its seed corpus
# (fuzz/corpus/<target>) for SECONDS each; a crash fails the run and leaves
# the input in BUILD_DIR/fuzz-artifacts. New inputs the fuzzer finds go to a
# scratch directory, not into the repository's corpus.
# Usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$1
seconds=$2
shift 2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(wire changes changelog control config form head)
artifacts="$build/fuzz-artifacts"
mkdir -p "$artifacts"
for t in "${targets[@]}"; do
  scratch="$build/fuzz-scratch/$t"
  mkdir -p "$scratch"
  echo "fuzz_$t: $seconds s"
  log="$build/fuzz-scratch/$t.log"
  status=0
  "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=8192 -print_final_stats=1 -artifact_prefix="$artifacts/$t-" \
    "$scratch" "fuzz/corpus/$t" > "$log" 2>&1 || status=$?
  grep -E "^(stat::number_of_executed_units|stat::average_exec_per_sec|==|SUMMARY)|ERROR" "$log" || true
  if [ "$status" -ne 0 ]; then
    echo "fuzz_$t failed (exit $status): $log; the input is in $artifacts" >&2
    exit 1
  fi
done
