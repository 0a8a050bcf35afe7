"""PUT with bucket notifications beside the same without, in one run: 4 KiB PUTs to a proxy with
no notifications, with a webhook target (nginx answering 200 to every POST) and with an AMQP target
(a throw-away RabbitMQ node, publisher confirms), for one build or several side by side (before
and after a change). Every proxy runs from the start, and the measurements take them by turns in
short slices, round after round, PUTs over 256 keys in turn, so a machine whose load comes and goes (other work on 2 cores)
weighs on each alike. A slice: 16 clients (wrk -c16) for throughput, the events drained, then one
client (wrk -c1) for a lone writer's latency. Each row sums its slices: req/s over all of them,
the median slice's p50 and p99; the CPU the proxy and the target spent per PUT (user + system,
from /proc, the events' delivery included), which is what a loaded machine trades for throughput;
and the events delivered per second from the start of each slice's PUTs until nothing was queued.
Beside them, the peer: Ceph RGW with no notification and with a persistent topic pushing to a
webhook (RgwSubject says how it compares).

    python3 bench/notify.py [rounds] [name=build-folder ...]
        (bench/run.sh publishes the proxy first; BENCH_PROXY=folder of a build otherwise;
         rounds: 8 unless given; slices of SLICE=3 s and SINGLE=2 s, after WARM=30 s of PUTs each;
         TARGETS=none,webhook,amqp unless given; PEERS=rgw unless given, PEERS= for none)
"""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time
import types
import urllib.request

import boto3

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
sys.path.insert(0, os.path.dirname(__file__))
import measure  # noqa: E402
from bench import client, presigned_path, write_file  # noqa: E402
from rgw import Rgw  # noqa: E402
from servers import PROXY, PROXY_KEYS, ROOT, WORK, Server, free_port, start_nginx, start_proxy, stop_all  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 8
BUILDS = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a) or {"proxy": str(PROXY)}
SLICE = int(os.environ.get("SLICE", "3"))
SINGLE = int(os.environ.get("SINGLE", "2"))
# Each proxy first takes PUTs this long unmeasured: a fresh process's JIT recompiles its hot code
# for 20-30 s under this load (perf: a quarter of the process's CPU in its tiered-compilation
# thread at 20 s, none at 60 s), and the delivery's code is more of it; a server runs for days.
WARM = int(os.environ.get("WARM", "30"))
# Which targets to measure (TARGETS=none,webhook to leave AMQP out).
TARGETS = os.environ.get("TARGETS", "none,webhook,amqp").split(",")
PEERS = [p for p in os.environ.get("PEERS", "rgw").split(",") if p]
SIZE = 4096
KEYS = 256
TICK = os.sysconf("SC_CLK_TCK")
# PUTs over KEYS keys in turn (presigned, one a line in the file WRK_PATH names), as writers of
# many objects do: 16 clients on one key would wait on its lock (one commit of a key at a time)
# and measure that instead.
measure.WRK_PUT = """
local f = io.open(os.getenv("WRK_BODY"), "rb")
local body = f:read("*a")
f:close()
local paths = {}
for line in io.lines(os.getenv("WRK_PATH")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("PUT", paths[i], {["Content-Type"] = "application/octet-stream"}, body)
end
"""


def start_rabbitmq():
    """A RabbitMQ node of the run's own (build/rabbitmq/rabbitmq-node.sh, as the tests start it); its AMQP port."""
    folder = WORK / "notify-rabbitmq"
    shutil.rmtree(folder, ignore_errors=True)
    node = Server("notify-rabbitmq", ["bash", str(ROOT / "build" / "rabbitmq" / "rabbitmq-node.sh"), "run", str(folder)], stdin=subprocess.PIPE)
    while True:
        line = node.proc.stdout.readline().decode()
        if not line:
            raise RuntimeError("the RabbitMQ node did not start (bench/work/notify-rabbitmq.log)")
        if line.startswith("amqp_port="):
            return node, int(line.strip().split("=")[1])


def cpu_seconds(pid):
    """User + system CPU of a process and every process under it (nginx's worker, RabbitMQ's beam)."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
            for task in os.listdir(f"/proc/{p}/task"):
                todo += [int(c) for c in open(f"/proc/{p}/task/{task}/children").read().split()]
        except (FileNotFoundError, ProcessLookupError):
            pass
    return total


def status(proxy):
    with urllib.request.urlopen(proxy.url + "/_overlay/status?format=json") as answer:
        return json.load(answer).get("notifications")


def drained(proxy):
    """Waits until the proxy's target has nothing queued; its delivered count then."""
    while True:
        target = status(proxy)["targets"][0]
        if target["queued"] == 0:
            return target["delivered"]
        time.sleep(0.02)


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


class Subject:
    """One build with one target (or none): its proxy and bucket, the requests its slices make (PUTs
    over KEYS keys, presigned), and what they measured. bench/notify_reads.py measures GETs so."""

    PREFIX = "notify"
    OPERATION = "PUT"
    BUCKET = "bench"

    def __init__(self, build_name, build, name, env, arn, target, body, events=("s3:ObjectCreated:*",)):
        self.label, self.name, self.arn, self.target, self.body = build_name, name, arn, target, body
        data = WORK / f"{self.PREFIX}-{build_name}-{name}"
        shutil.rmtree(data, ignore_errors=True)
        self.proxy = start_proxy(f"{self.PREFIX}-{build_name}-{name}", data, env, build=pathlib.Path(build).resolve())
        s3 = client(self.proxy.url, PROXY_KEYS)
        s3.create_bucket(Bucket="bench")
        self.prepare(s3)
        if arn:
            s3.put_bucket_notification_configuration(Bucket="bench", NotificationConfiguration={
                "QueueConfigurations": [{"QueueArn": arn, "Events": list(events)}]})
        self.start_counting()

    def start_counting(self):
        self.requests = self.seconds = self.proxy_cpu = self.target_cpu = self.events = self.drain_seconds = 0.0
        self.p50, self.p99, self.one_p50, self.one_p99 = [], [], [], []

    def prepare(self, s3):
        """What the slices' requests need, made before the bucket's notifications are set: here the presigned PUTs."""
        puts = WORK / f"{self.PREFIX}-{self.label}-{self.name}-puts.txt"
        puts.write_text("".join(presigned_path(s3, self.BUCKET, f"key-{i:03d}", "put_object") + "\n" for i in range(KEYS)))
        self.put = str(puts)

    def load(self, connections=16, seconds=SLICE):
        return measure.wrk(self.proxy.url, put_path=self.put, put_body=self.body, connections=connections, seconds=seconds)

    def delivered(self):
        """The events delivered so far, once nothing is queued; 0 without a target."""
        return drained(self.proxy) if self.arn else 0

    def warm(self):
        self.load(seconds=WARM)
        self.delivered()

    def slice(self):
        before = (cpu_seconds(self.proxy.pid), cpu_seconds(self.target.pid) if self.target else 0.0, self.delivered())
        started = time.time()
        r = self.load()
        delivered = self.delivered() - before[2]
        took = time.time() - started
        after = (cpu_seconds(self.proxy.pid), cpu_seconds(self.target.pid) if self.target else 0.0)
        one = self.load(connections=1, seconds=SINGLE)
        self.requests += r["rps"] * SLICE
        self.seconds += SLICE
        self.proxy_cpu += after[0] - before[0]
        self.target_cpu += after[1] - before[1]
        self.events += delivered
        self.drain_seconds += took
        self.p50.append(r["p50_ms"])
        self.p99.append(r["p99_ms"])
        self.one_p50.append(one["p50_ms"])
        self.one_p99.append(one["p99_ms"])

    @classmethod
    def header(cls):
        op = cls.OPERATION
        return (f"| build | target | {op} 4 KiB req/s | p50 ms | p99 ms | 1 client p50 ms | 1 client p99 ms | proxy CPU ms/{op} | target CPU ms/{op} "
                f"| events | delivered per s ({op}s' start to drained) |\n|---|---|---|---|---|---|---|---|---|---|---|")

    def row(self):
        target_ms = f"{self.target_cpu * 1000 / self.requests:.3f}" if self.target else ""
        events = f"{self.events:.0f}" if self.events else ""
        rate = f"{self.events / self.drain_seconds:.0f}" if self.events else ""
        return (f"| {self.label} | {self.name} | {self.requests / self.seconds:.0f} | {median(self.p50):.2f} | {median(self.p99):.2f} | "
                f"{median(self.one_p50):.2f} | {median(self.one_p99):.2f} | {self.proxy_cpu * 1000 / self.requests:.3f} | {target_ms} | {events} | {rate} |")


class RgwSubject(Subject):
    """The peer, in the same run: Ceph RGW (the tests' cluster, build/rgw/rgw-cluster.sh) with no
    notification, or with a persistent topic pushing to a webhook (an nginx of its own): RGW's way
    of keeping an event before it answers the PUT (in a queue in RADOS) and delivering it after,
    retried. Its one OSD keeps objects in RAM (memstore), so no write of RGW's waits for a disk,
    where a proxy's PUT waits for the store's flushes and its event's: RGW's rows say what its
    notifications cost with no disk in the way, not a like-for-like. Its CPU is the cluster's
    (gateway, OSD, monitor), its events counted at the nginx they go to (stub_status)."""

    def __init__(self, rgw, name, hook, body):
        self.label, self.name, self.arn, self.target, self.body, self.hook = "rgw", name, None, None, body, hook
        self.BUCKET, self.put_count = f"bench-{name}", 0
        self.proxy = types.SimpleNamespace(url=rgw.url, pid=int((rgw.dir / "supervisor.pid").read_text()))
        s3 = client(rgw.url, rgw.main)
        s3.create_bucket(Bucket=self.BUCKET)
        self.prepare(s3)
        if hook:
            sns = boto3.client("sns", endpoint_url=rgw.url, region_name="default", aws_access_key_id=rgw.main[0], aws_secret_access_key=rgw.main[1])
            arn = sns.create_topic(Name=f"bench-{name}", Attributes={"push-endpoint": f"{hook.url}/events", "persistent": "true"})["TopicArn"]
            s3.put_bucket_notification_configuration(Bucket=self.BUCKET, NotificationConfiguration={
                "TopicConfigurations": [{"Id": "bench", "TopicArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
            time.sleep(2)  # without it, RGW raised no event for the first PUTs after answering the configuration (90 of 3,088)
        self.start_counting()

    def load(self, connections=16, seconds=SLICE):
        r = super().load(connections, seconds)
        self.put_count += r["requests"]
        return r

    def delivered(self):
        """The events the webhook took so far, once it has taken one a PUT answered (RGW's queue tells no
        length here), or none has come for 10 s (then the row's events fall short of its PUTs)."""
        if not self.hook:
            return 0
        count, since = self.hook.requests(), time.time()
        while count < self.put_count and time.time() - since < 10:
            time.sleep(0.05)
            if (now := self.hook.requests()) != count:
                count, since = now, time.time()
        return count


def start_counted_webhook(name):
    """nginx answering 200 to every POST, counting them: requests() is how many it took (its own status reads not counted)."""
    port = free_port()
    hook = start_nginx(name, f"server {{ listen 127.0.0.1:{port}; location / {{ return 200; }} location = /count {{ stub_status; }} }}")
    hook.url, reads = f"http://127.0.0.1:{port}", [0]

    def requests():
        reads[0] += 1
        with urllib.request.urlopen(hook.url + "/count") as answer:
            return int(answer.read().decode().splitlines()[2].split()[2]) - reads[0]
    hook.requests = requests
    return hook


def by_turns(subjects):
    """Warms every subject, measures them by turns, ROUNDS rounds, and prints their table."""
    for subject in subjects:
        subject.warm()
    for round_ in range(ROUNDS):
        # Each round starts one further along, so no subject always follows the same other.
        for subject in subjects[round_ % len(subjects):] + subjects[:round_ % len(subjects)]:
            subject.slice()
        print(f"round {round_ + 1} of {ROUNDS} done, load {os.getloadavg()[0]:.0f}", file=sys.stderr, flush=True)
    print(f"{ROUNDS} rounds of a {SLICE} s slice (16 clients) and a {SINGLE} s slice (1 client) each, "
          f"{time.strftime('%d %b %Y %H:%M UTC', time.gmtime())}; load average at the end {os.getloadavg()[0]:.0f}\n")
    print(type(subjects[0]).header())
    for subject in subjects:
        print(subject.row(), flush=True)


def main():
    body = WORK / "notify-body-4k"
    write_file(body, SIZE, "notify")
    webhook_port = free_port()
    webhook = start_nginx("notify-webhook", f"server {{ listen 127.0.0.1:{webhook_port}; location / {{ return 200; }} }}")
    rabbit, amqp_port = start_rabbitmq()
    rgw = None
    targets = {
        "none": ({}, None, None),
        "webhook": ({"S3_OVERLAY_NOTIFY_WEBHOOK_ENDPOINT_bench": f"http://127.0.0.1:{webhook_port}/events"}, "arn:minio:sqs::bench:webhook", webhook),
        "amqp": ({"S3_OVERLAY_NOTIFY_AMQP_URL_bench": f"amqp://guest:guest@127.0.0.1:{amqp_port}/",
                  "S3_OVERLAY_NOTIFY_AMQP_EXCHANGE_bench": "bench", "S3_OVERLAY_NOTIFY_AMQP_ROUTING_KEY_bench": "events"},
                 "arn:minio:sqs::bench:amqp", rabbit),
    }
    try:
        subjects = [Subject(build_name, build, name, env, arn, target, body)
                    for name, (env, arn, target) in targets.items() if name in TARGETS for build_name, build in BUILDS.items()]
        if "rgw" in PEERS:
            rgw = Rgw()
            hook = start_counted_webhook("notify-rgw-webhook")
            subjects += [RgwSubject(rgw, name, target, body) for name, target in (("none", None), ("webhook", hook)) if name in TARGETS]
        by_turns(subjects)
    finally:
        stop_all()
        if rgw:
            rgw.stop()
        del webhook, rabbit


if __name__ == "__main__":
    main()
