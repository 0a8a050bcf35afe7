#!/usr/bin/env bash
# Runs ceph/s3-tests (vendored in upstream/, see UPSTREAM) family by family against a throw-away
# Ceph RGW 16.2 and against the overlay with its embedded store, then writes the comparison.
#
#   run.sh [--servers rgw,overlay] [--family NAME]... [--out DIR] [--no-build] [-- PYTEST ARGS]
#
# Families: object_lock lifecycle encryption versioning tagging ownership usual (families.py says
# which tests each holds; the default is all of them). Each server's outcomes go to
# DIR/SERVER.jsonl (default DIR: ./out beside this script); with both servers, results.md is
# written from them (summarize.py). Needs Debian's python3-pytest & co
# (build/install-test-tools.sh) and the .NET SDK; nothing is fetched from the network.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

servers=rgw,overlay
families=()
out=$here/out
build=yes
pytest_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --servers) servers=$2; shift 2 ;;
    --family) families+=("$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-build) build=no; shift ;;
    --) shift; pytest_args=("$@"); break ;;
    *) echo "run.sh: unknown argument $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
done
[ ${#families[@]} -gt 0 ] || families=(object_lock lifecycle encryption versioning tagging ownership usual)

missing=$(/usr/bin/python3 "$here/dependencies.py") || { echo "run.sh: missing Python modules: $missing (run build/install-test-tools.sh)" >&2; exit 2; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/s3-tests.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ ! -d "$work/rgw" ] || bash "$root/build/rgw/rgw-cluster.sh" stop "$work/rgw" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Runs the chosen families against the server that $1.conf describes, one pytest per family so
# each family's time is its own; appends every test's outcome to $out/$1.jsonl.
run_families() {
  local server=$1 family started status
  rm -f "$out/$server.jsonl"
  for family in "${families[@]}"; do
    started=$SECONDS
    status=0
    # In the background, waited for: a signal's trap then runs at once, not when pytest ends.
    (cd "$here/upstream" && S3TEST_CONF="$work/$server.conf" PYTHONPATH="$here" PYTHONDONTWRITEBYTECODE=1 \
      AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true NO_PROXY='*' \
      exec /usr/bin/python3 -m pytest -p families -p no:cacheprovider --family "$family" --outcomes="$out/$server.jsonl" \
      --timeout 600 -q -rN --no-header s3tests/functional/test_s3.py s3tests/functional/test_headers.py \
      "${pytest_args[@]}" >"$out/$server.$family.log" 2>&1) &
    pids+=($!)
    wait $! || status=$?
    # 1 is "some tests failed", what this run is here to count; 5 is "none selected".
    [ $status -le 1 ] || [ $status -eq 5 ] ||
      { echo "run.sh: pytest could not run $family on $server: $(tail -5 "$out/$server.$family.log")" >&2; return 1; }
    echo "$server $family: $(tail -1 "$out/$server.$family.log") ($((SECONDS - started)) s)"
  done
}

# RGW as Ceph's own test suites run s3-tests against it: lifecycle days are 10 s, SSE-C and
# SSE-KMS (its "testing" backend, the keys s3-tests names) work over plain HTTP. The cluster's own
# gateway knows none of that; a second gateway is given the settings in the monitor's
# configuration before it starts (the lifecycle worker reads its interval once, at start).
run_rgw() {
  local cluster conf port
  cluster=$(bash "$root/build/rgw/rgw-cluster.sh" start "$work/rgw")
  conf=$(sed -n 's/^conf=//p' <<<"$cluster")
  port=$(free_port)
  local name=client.rgw.port$port setting
  for setting in "rgw_lc_debug_interval 10" "rgw_crypt_require_ssl false" "rgw_crypt_s3_kms_backend testing" \
    "rgw_crypt_s3_kms_encryption_keys testkey-1=YmluCmJvb3N0CmJvb3N0LWJ1aWxkCmNlcGguY29uZgo= testkey-2=aWIKTWFrZWZpbGUKbWFuCm91dApzcmMKVGVzdGluZwo="; do
    # shellcheck disable=SC2086
    ceph -c "$conf" config set "$name" ${setting%% *} "${setting#* }" >/dev/null
  done
  # The users' display names and e-mail addresses, which ACL grants by e-mail resolve.
  radosgw-admin -c "$conf" user modify --uid main --display-name main --email main@example.com >/dev/null 2>&1
  radosgw-admin -c "$conf" user modify --uid second --display-name second --email second@example.com >/dev/null 2>&1
  radosgw-admin -c "$conf" user modify --tenant tenant --uid tenant --display-name tenant --email tenant@example.com >/dev/null 2>&1
  mkfifo "$work/rgw-gateway.in"
  # Started again whenever radosgw dies (16.2.15 aborts on an UploadPartCopy whose source holds a
  # bare '%', and the run goes on); it ends, status 0, when its input closes.
  (until bash "$root/build/rgw/rgw-cluster.sh" gateway "$work/rgw" "$port"; do sleep 0.5; done) \
    <"$work/rgw-gateway.in" >"$out/rgw.gateway.log" 2>&1 &
  pids+=($!)
  exec 7>"$work/rgw-gateway.in"
  local deadline=$((SECONDS + 60))
  until curl -s -o /dev/null "http://127.0.0.1:$port/"; do
    ((SECONDS < deadline)) || { echo "run.sh: the RGW gateway did not answer within 60 s" >&2; return 1; }
    sleep 0.2
  done
  /usr/bin/python3 "$here/conf.py" s3tests rgw "$port" >"$work/rgw.conf"
  run_families rgw
}

# The overlay's published build with its embedded store in a fresh folder, its users s3-tests'
# (conf.py).
run_overlay() {
  local dll=$root/S3Overlay.Proxy/bin/Release/net10.0/S3Overlay.Proxy.dll
  [ $build = no ] || dotnet build "$root/S3Overlay.Proxy" -c Release -nologo -v q >"$out/overlay.build.log" 2>&1 ||
    { echo "run.sh: the build failed: $out/overlay.build.log" >&2; return 1; }
  mkdir -p "$work/overlay"
  /usr/bin/python3 "$here/conf.py" users >"$work/overlay/users.json"
  chmod 600 "$work/overlay/users.json"
  local port
  port=$(free_port)
  # As the RGW gateway is set: a lifecycle day of 10 s (s3-tests' lc_debug_interval), scanned often
  # enough to act within the tests' waits; a master key so SSE-S3 and bucket default encryption run,
  # named as s3-tests' SSE-KMS key (kms_keyid, testkey-1): the master key is the one SSE-KMS key.
  S3_OVERLAY_LIFECYCLE_DAY_SECONDS=10 S3_OVERLAY_LIFECYCLE_INTERVAL=2 \
  S3_OVERLAY_KMS_SECRET_KEY="testkey-1:$(head -c 32 /dev/zero | base64)" \
  Logging__LogLevel__Default=Warning dotnet "$dll" serve --listen "http://127.0.0.1:$port" --data-dir "$work/overlay/data" \
    --users "$work/overlay/users.json" \
    >"$out/overlay.server.log" 2>&1 &
  pids+=($!)
  local deadline=$((SECONDS + 60))
  until grep -qs 'listening on' "$out/overlay.server.log"; do
    kill -0 "${pids[-1]}" 2>/dev/null || { echo "run.sh: the overlay exited: $(tail -5 "$out/overlay.server.log")" >&2; return 1; }
    ((SECONDS < deadline)) || { echo "run.sh: the overlay did not listen within 60 s" >&2; return 1; }
    sleep 0.2
  done
  /usr/bin/python3 "$here/conf.py" s3tests overlay "$port" >"$work/overlay.conf"
  run_families overlay
}

status=0
for server in ${servers//,/ }; do
  case $server in
    rgw) run_rgw || status=1 ;;
    overlay) run_overlay || status=1 ;;
    *) echo "run.sh: unknown server $server (rgw, overlay)" >&2; exit 2 ;;
  esac
done
if [ $status -eq 0 ] && [ -f "$out/rgw.jsonl" ] && [ -f "$out/overlay.jsonl" ]; then
  /usr/bin/python3 "$here/summarize.py" "$out/rgw.jsonl" "$out/overlay.jsonl" >"$out/results.md"
  echo "run.sh: comparison in $out/results.md"
fi
exit $status
