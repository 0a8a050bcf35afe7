#!/usr/bin/env bash
# A throw-away RabbitMQ node on 127.0.0.1, in one folder of its own: its AMQP port, its Erlang
# distribution port and its own epmd (the port mapper) on free ports, its node name, cookie,
# database, logs and configuration in DIR. Nothing is read from /etc/rabbitmq or
# /var/lib/rabbitmq, and no other node's epmd is used, so several nodes run side by side.
#
#   rabbitmq-node.sh run DIR    starts a node in DIR (created; must be empty), prints
#                               amqp_port=..., node=..., epmd_port=... once it answers AMQP
#                               connections, then stays in the foreground until its stdin closes
#                               or it gets SIGTERM/SIGINT: then it stops the node and its epmd
#                               and removes DIR. A test process that dies closes the pipe, so
#                               nothing outlives it.
#
# RabbitMQ 3.10 (Debian: rabbitmq-server). The user guest/guest may connect from loopback only,
# which is where the tests (and a remote pushing events to it) are.
set -euo pipefail

die() { echo "rabbitmq-node: $*" >&2; exit 1; }

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

listens() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Whether the node answers AMQP: a protocol header is answered with connection.start (a method
# frame, type 1). A port that listens is not enough: a node still booting accepts a connection and
# closes it unanswered (a client then fails with "connection.start was never received").
answers_amqp() {
  /usr/bin/python3 - "$1" <<'PY'
import socket, sys
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5) as s:
        s.sendall(b"AMQP\x00\x00\x09\x01")
        sys.exit(0 if s.recv(1) == b"\x01" else 1)
except OSError:
    sys.exit(1)
PY
}

[ "${1:-}" = run ] && [ -n "${2:-}" ] || die "usage: rabbitmq-node.sh run DIR"
dir=$2
server=/usr/lib/rabbitmq/bin/rabbitmq-server
[ -x "$server" ] || die "rabbitmq-server is not installed (Debian: rabbitmq-server; build/install-test-tools.sh installs it)"
mkdir -p "$dir"
[ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
dir=$(readlink -f "$dir")
mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"

amqp_port=$(free_port)
dist_port=$(free_port)
epmd_port=$(free_port)
node="overlay-test-$amqp_port@localhost"

cat >"$dir/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$amqp_port
log.console = false
log.file.level = warning
# A test node's disk is whatever the machine has left: do not stop publishers on a busy disk.
disk_free_limit.absolute = 1MB
CONF
: >"$dir/enabled_plugins"
: >"$dir/rabbitmq-env.conf"

export HOME="$dir/home"
export RABBITMQ_NODENAME="$node"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_NODE_PORT="$amqp_port"
export RABBITMQ_DIST_PORT="$dist_port"
export ERL_EPMD_PORT="$epmd_port"
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_MNESIA_BASE="$dir/mnesia"
export RABBITMQ_LOG_BASE="$dir/log"
export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"

"$server" >"$dir/log/stdout.log" 2>&1 &
pid=$!

stop() {
  trap - EXIT INT TERM
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  # The node's own epmd outlives it (epmd daemonizes): stopped by its port, never by name.
  epmd=$(command -v epmd || ls /usr/lib/erlang/erts-*/bin/epmd 2>/dev/null | head -1 || true)
  [ -z "$epmd" ] || ERL_EPMD_PORT="$epmd_port" "$epmd" -kill >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT INT TERM

for _ in $(seq 1 300); do
  kill -0 "$pid" 2>/dev/null || die "the node exited: $(tail -c 2000 "$dir/log/stdout.log" 2>/dev/null)"
  listens "$amqp_port" && answers_amqp "$amqp_port" && break
  sleep 0.2
done
answers_amqp "$amqp_port" || die "the node did not answer AMQP on $amqp_port within 60 s: $(tail -c 2000 "$dir/log/stdout.log" 2>/dev/null)"

echo "node=$node"
echo "epmd_port=$epmd_port"
echo "amqp_port=$amqp_port"

# Until the test process closes stdin (or dies), or the node exits.
while kill -0 "$pid" 2>/dev/null; do
  read -r -t 1 _ && continue
  status=$?
  [ $status -gt 128 ] || break
done
