"""A notification target down for ten minutes under steady writes: what the writes' latency, the
proxy's memory and the outbox do meanwhile, and how the backlog drains once the target is back.

Two proxies, each with a webhook target (nginx answering 200), take 4 KiB PUTs at a steady rate
(RATE a second each, by a few client threads, over 100 keys) throughout. One's target is up for UP
seconds, then its nginx is stopped for OUTAGE seconds (every delivery attempt refused), then started
again on the same port until nothing is queued; the other's target stays up: a control in the same
minutes on the same machine, whose load (other work on 2 cores) moves both alike. Every SAMPLE
seconds one row: both proxies' PUT latency in that interval, resident set (VmRSS) and bytes alive
on the managed heap after a full compacting collection (the heap probe, S3Overlay.HeapProbe,
loaded as a startup hook); the outbox's bytes, the events queued and the failed attempts (the
status page); the machine's load average. At the end, how fast the backlog drained.

    python3 bench/notify_outage.py      (BENCH_PROXY=folder of a build, else bench/work/proxy;
                                         RATE=50 OUTAGE=600 UP=60 SAMPLE=30 by default)
"""
import http.client
import json
import os
import shutil
import signal
import socket
import sys
import threading
import time
import urllib.request

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
sys.path.insert(0, os.path.dirname(__file__))
from bench import client, presigned_path  # noqa: E402
from servers import PROXY_KEYS, ROOT, WORK, free_port, start_nginx, start_proxy, stop_all  # noqa: E402

RATE = float(os.environ.get("RATE", "50"))
OUTAGE = int(os.environ.get("OUTAGE", "600"))
UP = int(os.environ.get("UP", "60"))
SAMPLE = int(os.environ.get("SAMPLE", "30"))
THREADS = 4
KEYS = 100
BODY = os.urandom(4096)
HEAP_PROBE = ROOT / "S3Overlay.HeapProbe" / "bin" / "Release" / "net10.0" / "S3Overlay.HeapProbe.dll"


class Writers:
    """THREADS threads, each PUTting at RATE/THREADS a second on its own keep-alive connection;
    the latencies since the last `take()` and the failures (any answer but 200)."""

    def __init__(self, port, paths):
        self.port, self.paths = port, paths
        self.lock = threading.Lock()
        self.latencies, self.failures, self.stopped = [], 0, False
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True) for i in range(THREADS)]
        for t in self.threads:
            t.start()

    def run(self, index):
        interval = THREADS / RATE
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        due, n = time.monotonic() + index * interval / THREADS, index
        while not self.stopped:
            due += interval
            path = self.paths[n % len(self.paths)]
            n += THREADS
            started = time.monotonic()
            try:
                connection.request("PUT", path, body=BODY, headers={"Content-Length": str(len(BODY))})
                answer = connection.getresponse()
                answer.read()
                ok = answer.status == 200
            except OSError:
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                ok = False
            took = (time.monotonic() - started) * 1000
            with self.lock:
                if ok:
                    self.latencies.append(took)
                else:
                    self.failures += 1
            time.sleep(max(0.0, due - time.monotonic()))

    def take(self):
        with self.lock:
            taken, self.latencies, failures, self.failures = self.latencies, [], self.failures, 0
        return sorted(taken), failures

    def stop(self):
        self.stopped = True
        for t in self.threads:
            t.join()


def percentile(values, p):
    return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def rss_parts_mib(pid):
    """The resident set's parts (/proc/PID/status): anonymous memory, mapped files, shared memory."""
    parts = {}
    for line in open(f"/proc/{pid}/status"):
        name, _, value = line.partition(":")
        if name in ("RssAnon", "RssFile", "RssShmem"):
            parts[name] = int(value.split()[0]) / 1024
    return parts


def resident_by_mapping(pid):
    """KiB resident per mapping (/proc/PID/smaps): a file's path, or [heap], [stack], [anon] for the rest."""
    resident, name = {}, None
    for line in open(f"/proc/{pid}/smaps"):
        fields = line.split()
        if "-" in fields[0] and ":" not in fields[0]:
            name = fields[5] if len(fields) > 5 and not fields[5].startswith("[stack") else ("[anon]" if len(fields) <= 5 else "[stack]")
        elif fields[0] == "Rss:":
            resident[name] = resident.get(name, 0) + int(fields[1])
    return resident


def live_heap_mib(probe):
    """Bytes alive after a full compacting collection, from the heap probe's socket."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(probe))
        line = s.makefile().readline().split()
    return int(line[0]) / 1048576


def status(url):
    with urllib.request.urlopen(url + "/_overlay/status?format=json", timeout=30) as answer:
        return json.load(answer)["notifications"]


def start_subject(name, folder):
    """A proxy with a webhook target (nginx answering 200) and the heap probe, its bucket configured;
    the proxy, its nginx, the nginx site, the probe's socket and the presigned PUTs."""
    probe = folder / f"{name}-heap.sock"
    port = free_port()
    site = f"server {{ listen 127.0.0.1:{port}; location / {{ return 200; }} }}"
    webhook = start_nginx(f"notify-outage-{name}-webhook", site)
    proxy = start_proxy(f"notify-outage-{name}", folder / name, {
        "S3_OVERLAY_NOTIFY_WEBHOOK_ENDPOINT_outage": f"http://127.0.0.1:{port}/events",
        "DOTNET_STARTUP_HOOKS": str(HEAP_PROBE), "S3OVERLAY_HEAP_PROBE_SOCKET": str(probe)})
    s3 = client(proxy.url, PROXY_KEYS)
    s3.create_bucket(Bucket="outage")
    s3.put_bucket_notification_configuration(Bucket="outage", NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": "arn:minio:sqs::outage:webhook", "Events": ["s3:ObjectCreated:*"]}]})
    paths = [presigned_path(s3, "outage", f"key-{i:03d}", "put_object") for i in range(KEYS)]
    return proxy, webhook, site, probe, paths


def main():
    # Stopped by a signal (a run left in the background), the servers it started still stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    folder = WORK / "notify-outage"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    proxy, webhook, site, probe, paths = start_subject("outage", folder)
    control, _, _, control_probe, control_paths = start_subject("control", folder)
    print(f"Two proxies, each taking {RATE:.0f} PUTs of 4 KiB a second by {THREADS} threads over {KEYS} keys: one whose webhook is "
          f"up {UP} s, down {OUTAGE} s, then up until drained, and a control whose webhook stays up (same machine, same minutes)\n")
    print("| s | target | PUTs | failed | p50 ms | p99 ms | max ms | control p50 ms | control p99 ms | RSS MiB (anon + file + shmem) | control RSS MiB "
          "| live heap MiB | control live heap MiB | outbox MiB | queued | failed attempts | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    writers = Writers(int(proxy.url.rsplit(":", 1)[1]), paths)
    control_writers = Writers(int(control.url.rsplit(":", 1)[1]), control_paths)
    started = time.monotonic()
    state = "up"

    def row():
        latencies, failures = writers.take()
        others, other_failures = control_writers.take()
        n = status(proxy.url)
        target = n["targets"][0]
        parts = rss_parts_mib(proxy.pid)
        print(f"| {time.monotonic() - started:.0f} | {state} | {len(latencies)} | {failures + other_failures} | {percentile(latencies, 0.5):.1f} | "
              f"{percentile(latencies, 0.99):.1f} | {latencies[-1] if latencies else float('nan'):.1f} | "
              f"{percentile(others, 0.5):.1f} | {percentile(others, 0.99):.1f} | {rss_mib(proxy.pid):.0f} ({parts['RssAnon']:.0f} + {parts['RssFile']:.0f} + {parts['RssShmem']:.0f}) | {rss_mib(control.pid):.0f} | "
              f"{live_heap_mib(probe):.1f} | {live_heap_mib(control_probe):.1f} | {n['outboxBytes'] / 1048576:.1f} | {target['queued']} | "
              f"{target['failedAttempts']} | {os.getloadavg()[0]:.0f} |", flush=True)

    try:
        for phase, seconds in (("up", UP), ("down", OUTAGE)):
            if phase == "down":
                webhook.stop()
            state = phase
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                time.sleep(min(SAMPLE, max(0.0, end - time.monotonic())))
                row()
        # Where the outage's proxy holds more than the control, by mapping: what its resident set's rise is.
        ours, theirs = resident_by_mapping(proxy.pid), resident_by_mapping(control.pid)
        rises = sorted(((ours.get(m, 0) - theirs.get(m, 0), m) for m in set(ours) | set(theirs)), reverse=True)[:6]
        print("\nResident, the outage's proxy less the control's, by mapping at the outage's end: "
              + "; ".join(f"{m} {kib / 1024:+.1f} MiB" for kib, m in rises) + "\n", flush=True)
        backlog = status(proxy.url)["targets"][0]
        webhook = start_nginx("notify-outage-outage-webhook", site)
        state = "back"
        back = time.monotonic()
        first = None  # when the first event of the backlog was taken (after the retry's wait)
        printed = back
        while True:
            time.sleep(0.25)
            target = status(proxy.url)["targets"][0]
            if first is None and target["delivered"] > backlog["delivered"]:
                first = time.monotonic()  # within a poll (0.25 s) of it
            if time.monotonic() - printed >= SAMPLE / 3:
                row()
                printed = time.monotonic()
            if target["queued"] == 0:
                break
        done = time.monotonic()
        row()
        print(f"\nBacklog of {backlog['queued']} events: the first taken {first - back:.1f} s after the target came back (the retry's wait), "
              f"all {done - back:.1f} s after: at least {(target['delivered'] - backlog['delivered']) / (done - first + 0.25):.0f} events a second "
              f"while the writes went on; refused writes: {status(proxy.url)['refusedWrites']}", flush=True)
    finally:
        writers.stop()
        control_writers.stop()
        stop_all()
        del webhook


if __name__ == "__main__":
    main()
