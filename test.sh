#!/usr/bin/env bash
# Runs the whole test suite from a fresh clone: installs what the tests need, runs every test,
# and ends with the line "N passed, N failed".
# ./test.sh --fast: the inner loop, the unit and functional tests of S3Overlay.Tests alone (the
# trait Kind, see S3Overlay.Tests/Infrastructure/TestKinds.cs), over the embedded store and s3rver:
# no client programs, no Ceph RGW, no Aspire app, no kills or soaks, no tools installed.
# Anything else after ./test.sh goes to dotnet test (--filter "Kind=Conformance", say).
set -uo pipefail
cd "$(dirname "$0")"
fast=no
if [ "${1:-}" = "--fast" ]; then
  fast=yes
  shift
  export S3OVERLAY_TEST_RGW=off
fi
[ "$fast" = yes ] || bash build/install-test-tools.sh || { echo "could not install the test tools"; exit 1; }
rm -rf TestResults
# Normal verbosity less each passing test's line: the message of a failure outside any test (a
# class fixture failing as its class ends) is printed only at this verbosity, and never into the
# results file, which keeps only its exception type.
# Every process of the run (the test hosts, the proxies and tools they start) is short-lived:
# without tiered PGO's instrumented tier the JIT spends less on code that never gets hot.
export DOTNET_TieredPGO=0
# The node packages the tests use install while the solution compiles, not after it (the test
# project's build installs them when missing, last: 11 s of a fresh clone's build); told so, it
# leaves them to this script.
node_installs=()
for package in S3Overlay.Tests/s3rver:s3rver S3Overlay.Tests/Clients/minio-js:minio; do
  dir=${package%%:*}
  [ -f "$dir/node_modules/${package##*:}/package.json" ] && continue
  (cd "$dir" && npm ci --no-audit --no-fund) &
  node_installs+=($!)
done
# Built first, then tested: with both test projects built, dotnet test starts them together (one
# per core); built and tested in one go, the Aspire tests sometimes waited for the other project's
# whole run (MSBuild had queued them behind it: 38 s more, seen in two fresh-clone runs of three).
# Release: the proxy is tested as it ships, its code optimized. Not for speed: on fresh clones the
# tests' own phase took 209-242 s in eight Release runs and 206-244 s in eleven Debug ones (26 Nov).
# With the compiler server: one warm compiler for the six projects, not a cold one each (this
# machine's environment turns it off by default): 112-115 s against 133-144 s for a clean build
# (29 Nov). It is stopped once the build is over.
built=yes
dotnet build S3Overlay.sln -c Release -nologo -p:NodePackagesByTestScript=true -p:UseSharedCompilation=true || built=no
dotnet build-server shutdown --vbcscompiler >/dev/null 2>&1
if [ "$built" = no ]; then
  echo "the build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
for install in "${node_installs[@]}"; do
  if ! wait "$install"; then
    echo "npm ci failed"
    echo "0 passed, 1 failed"
    exit 1
  fi
done
if [ "$fast" = yes ]; then
  tests=(S3Overlay.Tests --filter "(Kind=Unit|Kind=Functional)&FullyQualifiedName!~Rgw")
else
  tests=(S3Overlay.sln)
fi
dotnet test "${tests[@]}" -c Release --no-build --logger "trx" --logger "console;verbosity=normal" --results-directory TestResults "$@" | grep -v '^  Passed '
status=${PIPESTATUS[0]}
passed=0; failed=0
for trx in TestResults/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
  echo "dotnet test failed without a failed test (build or runner error)"
  # A fixture that fails as its class ends (a proxy that logged an error, say) is no failed test,
  # and the console shows only its name: print what the results file says of it.
  for trx in TestResults/*.trx; do
    [ -f "$trx" ] && sed -n '/<RunInfos>/,/<\/RunInfos>/p' "$trx" | sed 's/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&#xD;//g; s/&amp;/\&/g' | head -80
  done
fi
# Which tests failed, and why, where a reader of the log's end sees it.
[ "$failed" -gt 0 ] && /usr/bin/python3 build/print-failures.py TestResults/*.trx
echo "$passed passed, $failed failed"
exit $status
