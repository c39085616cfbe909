#!/usr/bin/env bash
# npm run test:stress [-- N]: the whole suite N times in a row (default 5) while two busy-loop
# processes load both cores, as on a busy 2-core CI machine. Each run's result and wall time are
# printed; the exit status is non-zero if any run failed. The load is stopped at the end, also on
# failure or Ctrl-C. Too slow for CI (.ci/run); run it after touching timing-sensitive tests.
#   STRESS_RUNS=3 npm run test:stress        STRESS_LOAD=4 (busy loops; default 2)
set -uo pipefail
cd "$(dirname "$0")/.."
. .ci/node-lts.sh

runs="${1:-${STRESS_RUNS:-5}}"
load="${STRESS_LOAD:-2}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ && "$load" =~ ^[0-9]+$ ]]; then
  echo "usage: npm run test:stress [-- RUNS]   (RUNS a positive integer; STRESS_LOAD a count of busy loops)" >&2
  exit 2
fi

busy=()
stop_load() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${busy[@]}"; do wait "$pid" 2>/dev/null; done
  busy=()
}
trap stop_load EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

for ((i = 0; i < load; i++)); do
  node -e 'for (;;);' &
  busy+=("$!")
done
echo "load: ${load} busy-loop node processes (pids ${busy[*]}) on $(nproc) cores; running the suite ${runs} times"

log_dir="$(mktemp -d "${TMPDIR:-/tmp}/test-stress-XXXXXX")"
failed=0
summary=()
for ((run = 1; run <= runs; run++)); do
  log="$log_dir/run-$run.log"
  started=$(date +%s)
  if npx vitest run >"$log" 2>&1; then result=pass; else result=FAIL; failed=$((failed + 1)); fi
  seconds=$(($(date +%s) - started))
  tests=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +Tests ' | tail -1 | sed -E 's/^ +Tests +//')
  line="run $run/$runs: $result in ${seconds} s (${tests:-no summary}; log $log)"
  summary+=("$line")
  echo "$line"
  if [ "$result" = FAIL ]; then
    # The failing tests' names, so the summary says what broke under load.
    sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^ +(×|FAIL) ' | sed 's/^/    /' | head -20
  fi
done

stop_load
echo
echo "stress summary (${load} busy loops, $(nproc) cores):"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -gt 0 ]; then
  echo "$failed of $runs runs failed" >&2
  exit 1
fi
echo "all $runs runs passed"
