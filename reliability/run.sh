#!/usr/bin/env bash
# The full reliability runs: remote faults, bad input, crashes and load at full size (the test
# suite runs a fast slice of each), on loopback only, bounded to 20 minutes. Writes the results
# table into reliability/README.md between the reliability markers. RELIABILITY_SEED=n repeats a run.
set -uo pipefail
cd "$(dirname "$0")/.."
# What a reader needs to weigh the figures: how many cores, and how busy they were during the run
# (the 1-minute load average every 10 s while the tests ran; above the cores, other work shared them).
loads=$(mktemp)
sample_load() { while sleep 10; do cut -d' ' -f1 /proc/loadavg >>"$loads"; done; }
conditions() {
  cut -d' ' -f1 /proc/loadavg >>"$loads"
  sort -g "$loads" | awk -v cores="$(nproc)" 'NR == 1 { low = $1 } { high = $1 }
    END { printf "%d cores, load average %s-%s during the run%s", cores, low, high, (high + 0 > cores + 0 ? ", shared with other work" : "") }'
}
# --soak MINUTES [--rgw]: only the load run, for that long, sampled every minute (RSS, the managed heap, what is alive after a full collection at checkpoints, descriptors,
# threads, temp files, latency), over the embedded store or (--rgw) Ceph RGW as the local store; its
# samples go into reliability/README.md between the soak markers.
if [ "${1:-}" = "--soak" ]; then
  minutes="${2:?--soak needs a number of minutes}"
  store="the embedded store"
  if [ "${3:-}" = "--rgw" ]; then export RELIABILITY_SOAK_LOCAL=rgw; store="Ceph RGW"; bash build/install-test-tools.sh; fi
  rows=$(mktemp)
  log=$(mktemp)
  export RELIABILITY_FULL=1 RELIABILITY_SOAK_MINUTES="$minutes" RELIABILITY_SOAK_RESULTS="$rows" RELIABILITY_RESULTS=$(mktemp)
  dotnet build S3Overlay.Tests -c Release -nologo -v q >"$log" 2>&1 || { tail -20 "$log"; echo "build failed"; exit 1; }
  started=$(date -u '+%Y-%m-%d %H:%M UTC')
  sample_load & sampler=$!
  timeout $(( minutes * 60 + 600 )) dotnet test S3Overlay.Tests -c Release --no-build --filter "FullyQualifiedName~S3Overlay.Tests.Reliability.LoadTests" >"$log" 2>&1
  status=$?
  kill "$sampler"
  grep -E "^\s+(Passed|Failed)!|Failed |Error Message" -A3 "$log" | head -20
  echo "full log: $log"
  summary=$(sed -n 's/^| soak | \(.*\) |$/\1/p' "$RELIABILITY_RESULTS")
  python3 - "$started" "$minutes" "$status" "$summary" "$rows" "$(conditions)" "$store" <<'PY'
import re, sys
started, minutes, status, summary, rows, cores, store = sys.argv[1:8]
summary = summary.replace(" | ", "; ")
samples = open(rows).read().strip()
block = (f"<!-- soak:begin -->\nSoak of {minutes} minutes from {started}, local store {store}, dotnet test exit {status}, {cores}: {summary}.\n\n"
         "| minute | RSS MiB | managed heap MiB | live MiB (after full GC) | GC committed MiB | gen 2 GCs | fds | threads | temp + spill files | p50 ms | p99 ms | operations/s |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n"
         f"{samples}\n<!-- soak:end -->")
readme = open("reliability/README.md").read()
readme = re.sub(r"<!-- soak:begin -->.*?<!-- soak:end -->", lambda _: block, readme, flags=re.S)
open("reliability/README.md", "w").write(readme)
PY
  cat "$rows"
  exit $status
fi
results=$(mktemp)
log=$(mktemp)
trap 'rm -f "$results" "$loads"' EXIT
# RELIABILITY_FULL=0 runs the fast slices instead (and says so in the table's heading line).
export RELIABILITY_FULL="${RELIABILITY_FULL:-1}" RELIABILITY_RESULTS="$results"

dotnet build S3Overlay.Tests -c Release -nologo -v q >"$log" 2>&1 || { tail -20 "$log"; echo "build failed"; exit 1; }
started=$(date +%s)
sample_load & sampler=$!
timeout 1200 dotnet test S3Overlay.Tests -c Release --no-build --filter "FullyQualifiedName~S3Overlay.Tests.Reliability" >"$log" 2>&1
status=$?
kill "$sampler"
grep -E "^\s+(Passed|Failed|Skipped)!|Total tests|Passed:|Failed |Skipped " "$log" | tail -20
echo "full log: $log"

# Fault cases report a tally line each; add them up into one row per fault.
faults=$(awk '$1 == "tally" && $2 == "faults" { n[$3] += $4; lost[$3] += $5; reads += $4; wrong += $5 }
  END { for (f in n) names = names (names ? ", " : "") f " " n[f]; if (reads) printf "| remote faults | %d faulty reads (%s) |  %d wrong bytes served or cached |\n", reads, names, wrong }' "$results")
table=$(printf '| run | done | nothing lost |\n|---|---|---|\n%s\n%s\n' "$faults" "$(grep '^|' "$results")")
size=$([ "$RELIABILITY_FULL" = 1 ] && echo "full run" || echo "fast slices only")
stamp="$size, $(date -u '+%Y-%m-%d %H:%M UTC'), $(( $(date +%s) - started )) s, dotnet test exit $status, $(conditions)"
python3 - "$table" "$stamp" <<'PY'
import re, sys
table, stamp = sys.argv[1], sys.argv[2]
readme = open("reliability/README.md").read()
block = f"<!-- reliability:begin -->\nLast run: {stamp}.\n\n{table}\n<!-- reliability:end -->"
readme = re.sub(r"<!-- reliability:begin -->.*?<!-- reliability:end -->", lambda _: block, readme, flags=re.S)
open("reliability/README.md", "w").write(readme)
PY
echo "$table"
exit $status
