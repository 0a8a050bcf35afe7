#!/usr/bin/env bash
# A throw-away Ceph cluster serving S3 (RADOS Gateway) on 127.0.0.1, in one folder of its own:
# one monitor, one OSD keeping objects in RAM (memstore), one radosgw kept running. Nothing is
# read from or written to /etc/ceph or /var/lib/ceph, so several clusters can run side by side.
#
#   rgw-cluster.sh run DIR      starts a cluster in DIR (created; must be empty), prints
#                               endpoint=..., the users' keys and conf=... once S3 answers, then
#                               stays in the foreground until its stdin closes or it gets
#                               SIGTERM/SIGINT: then it kills every daemon and removes DIR. A test
#                               process that dies closes the pipe, so nothing outlives it.
#   rgw-cluster.sh start DIR    the same, detached (for a shell); prints the same lines.
#   rgw-cluster.sh run DIR --detached
#                               `run` that ignores stdin and stops on SIGTERM/SIGINT only (the
#                               Aspire AppHost's RGW stores). RGW_PORT, RGW_ACCESS_KEY and
#                               RGW_SECRET_KEY, when set, choose the gateway's port and the main
#                               user's keys (which are then not printed).
#   rgw-cluster.sh stop DIR     stops a cluster that `start` (or `run`) started, and removes DIR.
#   rgw-cluster.sh gateway DIR PORT
#                               runs one more radosgw of DIR's cluster on PORT until its stdin
#                               closes or it is killed (radosgw dies with it): a gateway a test
#                               kills and starts again. Give such a test a cluster of its own: a
#                               killed radosgw's watches hold the others' metadata writes
#                               (CreateBucket) 10 s a try until the OSD drops them (30 s).
#
# Ceph 16.2 (Debian: ceph-mon ceph-osd radosgw ceph-common). The settings that matter are
# explained where they are written.
set -euo pipefail
self=$(readlink -f "$0")

MAIN_ACCESS_KEY=${RGW_ACCESS_KEY:-RGWMAINACCESSKEY}
MAIN_SECRET_KEY=${RGW_SECRET_KEY:-rgw-main-secret-key}
SECOND_ACCESS_KEY=RGWSECONDACCESSKEY
SECOND_SECRET_KEY=rgw-second-secret-key
TENANT_ACCESS_KEY=RGWTENANTACCESSKEY
TENANT_SECRET_KEY=rgw-tenant-secret-key

die() { echo "rgw-cluster: $*" >&2; exit 1; }

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Whether an HTTP server answers on 127.0.0.1:$1 (bash's /dev/tcp: no curl needed).
answers() (
  exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
  printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
  line=""
  read -r -t 2 line <&3 || true
  [[ $line == HTTP/* ]]
) 2>/dev/null

write_conf() {
  local dir=$1 mon_port=$2 fsid=$3
  cat >"$dir/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind ipv6 = false
ms bind msgr1 = false
# No cephx: a test cluster has no keyrings. Without crc mode radosgw waits forever for the
# monitor (get_initial_auth_request returned -13).
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
keyring = /dev/null
# One OSD: pools of one copy, 8 PGs each with the autoscaler off (8 RGW pools of the default
# 32 PGs would pass mon_max_pg_per_osd).
mon allow pool size one = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
# Ready in ~3 s instead of ~13: the monitor commits map changes every 0.1 s, not every 1 s.
paxos propose interval = 0.1
# A nearly full disk must not stop the monitor (its data is a few MiB).
mon data avail warn = 1
mon data avail crit = 0
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
# Deleted objects' data is collected after 30 s, not hours (it is held in RAM).
rgw gc obj min wait = 30
rgw gc processor period = 30
[mon]
mon data = $dir/mon
[osd]
osd data = $dir/osd
osd objectstore = memstore
# What the OSD reports as its size (data is in RAM only as it is written): room for a test run.
memstore device bytes = 8589934592
# Each PG's log of recent writes is held in RAM: bench/listing.py's million keys cut it short
# (RGW_PG_LOG_ENTRIES=500); the tests keep Ceph's default.
${RGW_PG_LOG_ENTRIES:+osd min pg log entries = 100}
${RGW_PG_LOG_ENTRIES:+osd max pg log entries = $RGW_PG_LOG_ENTRIES}
${RGW_PG_LOG_ENTRIES:+osd pg log trim min = 50}
EOF
}

# A daemon of the cluster, in the background, killed by the kernel if this shell dies.
spawn() {
  local log=$1; shift
  setpriv --pdeathsig KILL -- "$@" >>"$log" 2>&1 </dev/null &
}

cluster_up() {
  local dir=$1
  local conf=$dir/ceph.conf
  mkdir -p "$dir/mon" "$dir/osd" "$dir/run" "$dir/log"
  local mon_port rgw_port fsid osd_uuid osd_id
  mon_port=$(free_port)
  rgw_port=${RGW_PORT:-$(free_port)}
  fsid=$(cat /proc/sys/kernel/random/uuid)
  write_conf "$dir" "$mon_port" "$fsid"

  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/run/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/run/monmap" >>"$dir/log/mon.out" 2>&1
  spawn "$dir/log/mon.out" ceph-mon -c "$conf" -i a -f
  echo $! >"$dir/run/mon.pid"

  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  osd_id=$(timeout 30 ceph -c "$conf" --connect-timeout 20 osd new "$osd_uuid" 2>>"$dir/log/ceph-cli.out") ||
    { tail -20 "$dir/log/mon.out" >&2; die "the monitor did not answer"; }
  ceph-osd -c "$conf" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >>"$dir/log/osd.out" 2>&1
  spawn "$dir/log/osd.out" ceph-osd -c "$conf" -i "$osd_id" -f
  echo $! >"$dir/run/osd.pid"

  # radosgw creates its pools itself and answers once their PGs are active.
  spawn "$dir/log/gateway.out" "$self" _keep-gateway "$dir" "$rgw_port"
  echo $! >"$dir/run/gateway.pid"
  local deadline=$((SECONDS + 60))
  until answers "$rgw_port"; do
    ((SECONDS < deadline)) || { tail -20 "$dir/log/gateway.out" "$dir/log/client.rgw.main.log" >&2 2>/dev/null; die "radosgw did not answer within 60 s"; }
    sleep 0.1
  done

  # Each user apart: a failure names it. The tenant's buckets have names of their own (RGW's
  # bucket names are otherwise one namespace), so one cluster can be both sides of an overlay.
  local user pids=()
  for user in "--uid main --access-key $MAIN_ACCESS_KEY --secret-key $MAIN_SECRET_KEY" \
    "--uid second --access-key $SECOND_ACCESS_KEY --secret-key $SECOND_SECRET_KEY" \
    "--tenant tenant --uid tenant --access-key $TENANT_ACCESS_KEY --secret-key $TENANT_SECRET_KEY"; do
    # shellcheck disable=SC2086
    radosgw-admin -c "$conf" user create $user --display-name "${user%% --access-key*}" >/dev/null 2>>"$dir/log/admin.out" &
    pids+=($!)
  done
  for user in "${pids[@]}"; do wait "$user" || die "could not create a user: $(tail -3 "$dir/log/admin.out")"; done

  local shown_secret=$MAIN_SECRET_KEY
  [ -z "${RGW_SECRET_KEY:-}" ] || shown_secret="(as given by RGW_SECRET_KEY)"
  cat <<EOF
endpoint=http://127.0.0.1:$rgw_port
access_key=$MAIN_ACCESS_KEY
secret_key=$shown_secret
second_access_key=$SECOND_ACCESS_KEY
second_secret_key=$SECOND_SECRET_KEY
tenant_access_key=$TENANT_ACCESS_KEY
tenant_secret_key=$TENANT_SECRET_KEY
conf=$conf
EOF
}

# Kills every daemon (no state worth a clean stop: objects live in RAM) and removes the folder.
cluster_down() {
  local dir=$1 name pid
  for name in gateway osd mon watcher; do
    pid=$(cat "$dir/run/$name.pid" 2>/dev/null) || continue
    kill -KILL "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$dir"
}

cmd_run() {
  local dir=$1 watch_stdin=$2
  [ -z "$(ls -A "$dir" 2>/dev/null | grep -v '^supervisor\.')" ] || die "$dir is not empty"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  echo $$ >"$dir/supervisor.pid"
  cluster_dir=$dir
  trap 'cluster_down "$cluster_dir"' EXIT
  trap 'exit 143' TERM INT HUP
  cluster_up "$dir"
  if [ "$watch_stdin" = yes ]; then
    # In the background so that a signal's trap runs at once (bash defers traps until a
    # foreground command returns); an explicit <&0, or bash would give it /dev/null.
    cat <&0 >/dev/null &
  else
    sleep infinity &
  fi
  echo $! >"$dir/run/watcher.pid"
  wait $! || true
}

# RGW_TCP_NODELAY=1 turns Nagle's algorithm off on its answers (bench/listing.py: without it each
# small answer waits 40 ms for the client's delayed ACK; docs/stores.md); the tests keep the default.
# radosgw, started again whenever it stops: 16.2.15 aborts (exit 134) on an UploadPartCopy
# whose copy source holds a bare '%', and a test run goes on.
cmd_keep_gateway() {
  local dir=$1 port=$2
  while :; do
    setpriv --pdeathsig KILL -- radosgw -c "$dir/ceph.conf" -n client.rgw.main -f \
      --rgw-frontends "beast endpoint=127.0.0.1:$port${RGW_TCP_NODELAY:+ tcp_nodelay=1}" </dev/null &
    local status=0
    wait $! || status=$?
    echo "$(date -u +%FT%TZ) radosgw exited with $status; starting it again"
    sleep 0.5
  done
}

cmd_start() {
  local dir=$1
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  setsid "$self" run "$dir" --detached >"$dir/supervisor.out" 2>"$dir/supervisor.err" </dev/null &
  local pid=$!
  until grep -q '^conf=' "$dir/supervisor.out" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/supervisor.err" >&2; die "the cluster did not start"; }
    sleep 0.1
  done
  cat "$dir/supervisor.out"
}

cmd_stop() {
  local dir=$1 pid
  pid=$(cat "$dir/supervisor.pid" 2>/dev/null) || die "no cluster in $dir"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  rm -rf "$dir"
}

cmd_gateway() {
  local dir=$1 port=$2
  setpriv --pdeathsig KILL -- radosgw -c "$dir/ceph.conf" -n "client.rgw.port$port" -f \
    --rgw-frontends "beast endpoint=127.0.0.1:$port${RGW_TCP_NODELAY:+ tcp_nodelay=1}" </dev/null &
  local gateway=$!
  cat <&0 >/dev/null &
  local status=0
  wait -n || status=$?
  kill -KILL "$gateway" $! 2>/dev/null || true
  exit "$status"
}

case "${1:-}" in
  run) [ $# -ge 2 ] || die "usage: $0 run DIR"; cmd_run "$2" "$([ "${3:-}" = --detached ] && echo no || echo yes)" ;;
  start) [ $# -eq 2 ] || die "usage: $0 start DIR"; cmd_start "$2" ;;
  stop) [ $# -eq 2 ] || die "usage: $0 stop DIR"; cmd_stop "$2" ;;
  gateway) [ $# -eq 3 ] || die "usage: $0 gateway DIR PORT"; cmd_gateway "$2" "$3" ;;
  _keep-gateway) cmd_keep_gateway "$2" "$3" ;;
  *) die "usage: $0 run|start|stop|gateway DIR [PORT]" ;;
esac
