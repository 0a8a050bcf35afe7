"""GET with MinIO's access events beside the same without, in one run: 4 KiB GETs over 256 keys
from a proxy with no notifications, one whose bucket sends only its writes' events to a webhook ("writes")
(nginx answering 200; a GET then pays only the look at the bucket's configuration), and one whose
bucket asks for s3:ObjectAccessed:* (each GET raises an event, kept as the read is answered and
flushed in the background, then POSTed). Every proxy runs from the start and the measurements take
them by turns in slices, as bench/notify.py does: 16 clients for throughput, the events drained,
then one client for a lone reader's latency; the proxy's and the webhook's CPU per GET.

    python3 bench/notify_reads.py [rounds] [name=build-folder ...]
        (bench/run.sh publishes the proxy first; BENCH_PROXY=folder of a build otherwise;
         CONFIGURATIONS=none,writes,access: those rows only, e.g. for a build that has no access events)
"""
import os
import pathlib
import shutil
import sys
import time

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
sys.path.insert(0, os.path.dirname(__file__))
import measure  # noqa: E402
from bench import client, presigned_path  # noqa: E402
from notify import KEYS, ROUNDS, SINGLE, SLICE, SIZE, WARM, BUILDS, cpu_seconds, drained, median  # noqa: E402
from servers import PROXY_KEYS, WORK, free_port, start_nginx, start_proxy, stop_all  # noqa: E402

ARN = "arn:minio:sqs::bench:webhook"


class Reads:
    """One build with one configuration: its proxy, its objects and their presigned GETs, and what its slices measured."""

    def __init__(self, build_name, build, name, env, events, webhook):
        self.label, self.name, self.events_asked, self.webhook = build_name, name, events, webhook
        data = WORK / f"notify-reads-{build_name}-{name}"
        shutil.rmtree(data, ignore_errors=True)
        self.proxy = start_proxy(f"notify-reads-{build_name}-{name}", data, env, build=pathlib.Path(build).resolve())
        s3 = client(self.proxy.url, PROXY_KEYS)
        s3.create_bucket(Bucket="bench")
        body = os.urandom(SIZE)
        for i in range(KEYS):
            s3.put_object(Bucket="bench", Key=f"key-{i:03d}", Body=body)
        if events:
            s3.put_bucket_notification_configuration(Bucket="bench", NotificationConfiguration={
                "QueueConfigurations": [{"QueueArn": ARN, "Events": events}]})
        self.paths = [presigned_path(s3, "bench", f"key-{i:03d}") for i in range(KEYS)]
        self.gets = self.seconds = self.proxy_cpu = self.target_cpu = self.delivered = 0.0
        self.p50, self.p99, self.one_p50, self.one_p99 = [], [], [], []

    def warm(self):
        measure.wrk(self.proxy.url, self.paths, seconds=WARM)
        if self.events_asked:
            drained(self.proxy)

    def slice(self):
        before = (cpu_seconds(self.proxy.pid), cpu_seconds(self.webhook.pid) if self.events_asked else 0.0,
                  drained(self.proxy) if self.events_asked else 0)
        r = measure.wrk(self.proxy.url, self.paths, seconds=SLICE)
        delivered = drained(self.proxy) - before[2] if self.events_asked else 0
        after = (cpu_seconds(self.proxy.pid), cpu_seconds(self.webhook.pid) if self.events_asked else 0.0)
        one = measure.wrk(self.proxy.url, self.paths, connections=1, seconds=SINGLE)
        self.gets += r["rps"] * SLICE
        self.seconds += SLICE
        self.proxy_cpu += after[0] - before[0]
        self.target_cpu += after[1] - before[1]
        self.delivered += delivered
        self.p50.append(r["p50_ms"])
        self.p99.append(r["p99_ms"])
        self.one_p50.append(one["p50_ms"])
        self.one_p99.append(one["p99_ms"])

    def row(self):
        target = f"{self.target_cpu * 1000 / self.gets:.2f}" if self.events_asked else ""
        events = f"{self.delivered:.0f}" if self.events_asked else ""
        return (f"| {self.label} | {self.name} | {self.gets / self.seconds:.0f} | {median(self.p50):.2f} | {median(self.p99):.2f} | "
                f"{median(self.one_p50):.2f} | {median(self.one_p99):.2f} | {self.proxy_cpu * 1000 / self.gets:.3f} | {target} | {events} |")


def main():
    port = free_port()
    webhook = start_nginx("notify-reads-webhook", f"server {{ listen 127.0.0.1:{port}; location / {{ return 200; }} }}")
    env = {"S3_OVERLAY_NOTIFY_WEBHOOK_ENDPOINT_bench": f"http://127.0.0.1:{port}/events"}
    configurations = {
        "none": ({}, None),
        "writes": (env, ["s3:ObjectCreated:*"]),
        "access": (env, ["s3:ObjectAccessed:*"]),
    }
    chosen = os.environ.get("CONFIGURATIONS", "none,writes,access").split(",")
    configurations = {name: c for name, c in configurations.items() if name in chosen}
    try:
        subjects = [Reads(build_name, build, name, settings, events, webhook)
                    for name, (settings, events) in configurations.items() for build_name, build in BUILDS.items()]
        for subject in subjects:
            subject.warm()
        for round_ in range(ROUNDS):
            for subject in subjects[round_ % len(subjects):] + subjects[:round_ % len(subjects)]:
                subject.slice()
            print(f"round {round_ + 1} of {ROUNDS} done, load {os.getloadavg()[0]:.0f}", file=sys.stderr, flush=True)
        print(f"{ROUNDS} rounds of a {SLICE} s slice (16 clients) and a {SINGLE} s slice (1 client) each, "
              f"{time.strftime('%d %b %Y %H:%M UTC', time.gmtime())}; load average at the end {os.getloadavg()[0]:.0f}\n")
        print("| build | events asked for | GET 4 KiB req/s | p50 ms | p99 ms | 1 client p50 ms | 1 client p99 ms | proxy CPU ms/GET "
              "| webhook CPU ms/GET | events delivered |\n|---|---|---|---|---|---|---|---|---|---|")
        for subject in subjects:
            print(subject.row(), flush=True)
    finally:
        stop_all()
        del webhook


if __name__ == "__main__":
    main()
