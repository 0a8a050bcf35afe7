#!/usr/bin/env bash
# One command: installs the tools, builds the proxy in Release, starts the proxy, nginx and s3rver
# on loopback, measures them side by side, stops everything, and writes bench/results/ and the
# tables in bench/README.md. About 15 minutes on 2 cores. Usage: bench/run.sh [--quick] [--cold]
# (--cold: only the cold workloads, the sweep and time to first byte, a few minutes; --quick: fewer of everything;
# --shared: the machine was shared, and the tables say so)
# bench/run.sh --ranges [ranges.py options]: the range-reader workloads instead (bench/ranges.py, a few
# minutes); with --proxy DIR or --project DIR it measures that build and does not publish this tree's.
# bench/run.sh --fleet [objects] [size KiB]: three replicas over one store instead (bench/fleet.py, a minute or two).
# bench/run.sh --rgw [rgw.py options]: Ceph's RADOS Gateway as the local store and as the remote, beside
# the embedded store, RGW itself and nginx (bench/rgw.py, a few minutes; the tests' own RGW cluster).
# bench/run.sh --crowd [crowd.py options]: crowds of cold readers of one key with both cores kept busy, over the
# embedded store and RGW: remote GETs and bytes per object, early reads let go (bench/crowd.py, a few minutes).
# bench/run.sh --listing [listing.py options]: the embedded store's listings at 1,000 to 1,000,000 keys beside RGW
# (bench/listing.py: its buckets take about 20 minutes to build here, RGW's million as long again);
# bench/run.sh --listing-merged [listing_merged.py options]: the overlay's merged listing over the data folder
# listing.py built (bench/listing_merged.py, about 10 minutes). Both measure this tree's build unless given --builds.
set -euo pipefail
cd "$(dirname "$0")/.."
listing=""
if [ "${1:-}" = "--listing" ]; then listing=listing.py; shift; bash build/install-test-tools.sh; fi
if [ "${1:-}" = "--listing-merged" ]; then listing=listing_merged.py; shift; fi
ranges=""
if [ "${1:-}" = "--ranges" ]; then ranges=1; shift; fi
fleet=""
if [ "${1:-}" = "--fleet" ]; then fleet=1; shift; fi
rgw=""
if [ "${1:-}" = "--rgw" ]; then rgw=1; shift; bash build/install-test-tools.sh; fi
crowd=""
if [ "${1:-}" = "--crowd" ]; then crowd=1; rgw=1; shift; bash build/install-test-tools.sh; fi
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
# listing.py makes fsync a no-op while it describes its fixture (bench/nofsync.c).
[ -z "$listing" ] || command -v gcc >/dev/null || need+=(gcc)
# Native AOT's compiler links with clang (and zlib): the AOT build's fresh-process row.
[ -n "$ranges$fleet$rgw$listing" ] || command -v clang >/dev/null || need+=(clang)
[ -n "$ranges$fleet$rgw$listing" ] || [ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
/usr/bin/python3 -c 'import boto3' 2>/dev/null || need+=(python3-boto3)
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || need+=(python3-matplotlib)
/usr/bin/python3 -c 'import crcmod' 2>/dev/null || need+=(python3-crcmod)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -f S3Overlay.Tests/s3rver/node_modules/s3rver/package.json ] || (cd S3Overlay.Tests/s3rver && npm ci --no-audit --no-fund)
if [ -n "$ranges" ] && [[ " $* " == *" --proxy "* || " $* " == *" --project "* ]]; then
  BENCH_RANGES_RUN_SH=1 exec /usr/bin/python3 bench/ranges.py "$@"
fi
# For the runtime it runs on, so the proxy is precompiled (ReadyToRun), as a deployment would publish it.
dotnet publish S3Overlay.Proxy -c Release --use-current-runtime --self-contained false -o bench/work/proxy -v quiet -nologo
# The same tree as Native AOT, for one row beside the shipped build's (a fresh process's first fills).
[ -n "$ranges$fleet$rgw$listing" ] || dotnet publish S3Overlay.Proxy -c Release --use-current-runtime -p:PublishAot=true -o bench/work/aot -v quiet -nologo
# The platform's floor for warm GETs: a minimal ASP.NET Core app serving the same files, or relaying
# to RGW (bench/minimal-app).
[ -n "$ranges$fleet$listing" ] || dotnet publish bench/minimal-app -c Release --use-current-runtime --self-contained false -o bench/work/minimal-app -v quiet -nologo
if [ -n "$ranges" ]; then BENCH_RANGES_RUN_SH=1 exec /usr/bin/python3 bench/ranges.py "$@"; fi
if [ -n "$listing" ]; then exec /usr/bin/python3 "bench/$listing" "$@"; fi
if [ -n "$crowd" ]; then exec /usr/bin/python3 bench/crowd.py "$@"; fi
if [ -n "$rgw" ]; then exec /usr/bin/python3 bench/rgw.py "$@"; fi
if [ -n "$fleet" ]; then exec /usr/bin/python3 bench/fleet.py "$@"; fi
exec /usr/bin/python3 bench/bench.py "$@"
