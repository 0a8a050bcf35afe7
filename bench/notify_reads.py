"""GET with MinIO's access events beside the same without, in one run: 4 KiB GETs over 256 keys
from a proxy with no notifications ("none"), one whose bucket sends only its writes' events to a
webhook ("writes": nginx answering 200; a GET then pays only the look at the bucket's
configuration), and one whose bucket asks for s3:ObjectAccessed:* ("access": each GET raises an
event, kept as the read is answered, flushed in the background, then POSTed). Measured as
bench/notify.py measures PUTs (its Subject and by_turns): every proxy running from the start, by
turns in slices of 16 clients, the events drained, then one client; the proxy's and the webhook's
CPU per GET. The table's target column names the configuration.

    python3 bench/notify_reads.py [rounds] [name=build-folder ...]
        (bench/run.sh publishes the proxy first; BENCH_PROXY=folder of a build otherwise;
         CONFIGURATIONS=none,writes,access: those rows only, e.g. for a build that has no access events)
"""
import os
import sys

os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
sys.path.insert(0, os.path.dirname(__file__))
import measure  # noqa: E402
from bench import presigned_path  # noqa: E402
from notify import BUILDS, KEYS, SIZE, SLICE, Subject, by_turns  # noqa: E402
from servers import free_port, start_nginx, stop_all  # noqa: E402

ARN = "arn:minio:sqs::bench:webhook"


class Reads(Subject):
    """One build with one configuration, measured with presigned GETs of KEYS objects of 4 KiB."""

    PREFIX = "notify-reads"
    OPERATION = "GET"

    def prepare(self, s3):
        body = os.urandom(SIZE)
        for i in range(KEYS):
            s3.put_object(Bucket="bench", Key=f"key-{i:03d}", Body=body)
        self.paths = [presigned_path(s3, "bench", f"key-{i:03d}") for i in range(KEYS)]

    def load(self, connections=16, seconds=SLICE):
        return measure.wrk(self.proxy.url, self.paths, connections=connections, seconds=seconds)


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
    try:
        subjects = [Reads(build_name, build, name, settings, ARN if events else None, webhook if events else None, None, events)
                    for name, (settings, events) in configurations.items() if name in chosen for build_name, build in BUILDS.items()]
        by_turns(subjects)
    finally:
        stop_all()
        del webhook


if __name__ == "__main__":
    main()
