"""Freshness with the remote's own change events: Ceph RGW 16.2 as the remote, pushing its bucket
notifications to the overlay over HTTP (POST /_overlay/events) and over AMQP (a RabbitMQ node of
the run's own), the overlay caching on its embedded store, no revalidation set.

  lag        from the remote's acknowledged PUT (boto3's put_object returned) to the overlay serving
             the new bytes, a reader polling the overlay every 2 ms: p50, p99, max, per transport
  overwrites OVERWRITES overwrites at RATE a second in all, spread over KEYS keys (each key's in
             order, by a writer of its own), READERS readers polling the overlay all along: reads
             that returned a version of their key older than one the remote acknowledged more than
             1 s before the read began (stale after 1 s; expected 0), per transport
  warm       remote requests per warm read with events on (counted by an nginx relay in front of
             RGW; expected 0)

Usage: python3 bench/remote_events.py [--lags N] [--overwrites N] [--rate N] [--readers N] [--keys N]
The proxy is BENCH_PROXY (a publish folder; bench/run.sh publishes bench/work/proxy).
EVENTS_PERSISTENT=false makes the topics not persistent (RGW sends each event before it acknowledges the PUT).
Writes bench/results/remote_events.json and .md (remote_events_not_persistent.* with EVENTS_PERSISTENT=false).
"""
import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import threading
import time

import boto3
from botocore.config import Config

from relay import Relay
from rgw import Rgw
from servers import ROOT, WORK, Server, start_proxy, stop_all

RESULTS = ROOT / "bench" / "results"
RABBITMQ = ROOT / "build" / "rabbitmq" / "rabbitmq-node.sh"
TOKEN = "bench-remote-events-token"
PROXY_KEYS = ("minioadmin", "minioadmin")
# "true": RGW queues each event and acknowledges the PUT at once (what an operator sets: events
# wait while the overlay is down). "false" sends it before acknowledging the PUT, so a PUT waits
# for the overlay's answer (HTTP) or the broker's (AMQP): 4 PUTs a second over AMQP here.
PERSISTENT = os.environ.get("EVENTS_PERSISTENT", "true")


def client(url, keys, region="us-east-1"):
    return boto3.client("s3", endpoint_url=url, aws_access_key_id=keys[0], aws_secret_access_key=keys[1], region_name=region,
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 0},
                                      max_pool_connections=32))


def start_rabbitmq():
    directory = WORK / "rabbitmq"
    subprocess.run(["rm", "-rf", str(directory)], check=True)
    s = Server("rabbitmq", ["bash", str(RABBITMQ), "run", str(directory)], stdin=subprocess.PIPE)
    lines = {}
    while "amqp_port" not in lines:
        line = s.proc.stdout.readline().decode()
        if not line:
            raise RuntimeError("RabbitMQ did not start (bench/work/rabbitmq.log)")
        if "=" in line:
            name, value = line.strip().split("=", 1)
            lines[name] = value
    s.port = int(lines["amqp_port"])
    return s


def notify(rgw, bucket, topic, endpoint, **attributes):
    """A topic (persistent: RGW acknowledges a PUT at once and delivers its event after, retrying) and the bucket's notifications to it."""
    session = dict(endpoint_url=rgw.url, region_name="default", aws_access_key_id=rgw.main[0], aws_secret_access_key=rgw.main[1])
    arn = boto3.client("sns", **session).create_topic(Name=topic, Attributes={"push-endpoint": endpoint, "persistent": PERSISTENT, **attributes})["TopicArn"]
    boto3.client("s3", **session).put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"TopicConfigurations": [
        {"Id": topic, "TopicArn": arn, "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]}]})


def body(c, bucket, key):
    try:
        return c.get_object(Bucket=bucket, Key=key)["Body"].read()
    except c.exceptions.NoSuchKey:
        return None


def lags(remote, overlay, bucket, rounds):
    """Seconds from each acknowledged PUT to the first read of the overlay that returns its bytes."""
    key = "lag.txt"
    remote.put_object(Bucket=bucket, Key=key, Body=b"v-start")
    while body(overlay, bucket, key) != b"v-start":
        time.sleep(0.01)
    out = []
    for i in range(rounds):
        new = f"v-{i}-{time.time_ns()}".encode()
        remote.put_object(Bucket=bucket, Key=key, Body=new)
        acked = time.perf_counter()
        while True:
            got = body(overlay, bucket, key)
            if got == new:
                out.append(time.perf_counter() - acked)
                break
            if time.perf_counter() - acked > 10:
                out.append(float("inf"))
                break
            time.sleep(0.002)
    return out


def _poll(overlay_url, bucket, keys, until, out):
    """A reader process: reads the keys in turn until `until` (perf_counter, the same clock in every process on Linux); each read's key, start and version."""
    c = client(overlay_url, PROXY_KEYS)
    seen, errors, turn = [], 0, 0
    while time.perf_counter() < until:
        key = keys[turn % len(keys)]
        turn += 1
        began = time.perf_counter()
        try:
            got = body(c, bucket, key)
        except Exception:  # a connection the busy machine dropped: not a read of any version
            errors += 1
            continue
        seen.append((key, began, int(got) if got else -1))
    out.put((seen, errors))


def _write(remote_url, keys, bucket, key, versions, start, rate, acked):
    """One key's writer: its versions in order, each at its time (start + n / rate); what the remote acknowledged, and when, in `acked`."""
    c = client(remote_url, keys)
    for n, version in enumerate(versions):
        time.sleep(max(0.0, start + (n + 1) / rate - time.perf_counter()))
        c.put_object(Bucket=bucket, Key=key, Body=str(version).encode())
        acked.append((version, time.perf_counter()))


def overwrites(remote, remote_url, remote_keys, overlay_url, bucket, count, rate, readers, keys):
    """`count` overwrites at `rate`/s in all, spread over `keys` keys, each key's written in order by a writer of its own (one writer
    waits for each PUT: RGW's synchronous push slows one below 50/s), reader processes polling them all (apart from the writers: a
    reader thread would hold the writers' interpreter); a read is stale after 1 s when it returned a version of its key older than one
    acknowledged more than 1 s before it began."""
    names = [f"hot-{k}.txt" for k in range(keys)]
    acked = {name: [(0, time.perf_counter())] for name in names}
    for name in names:
        remote.put_object(Bucket=bucket, Key=name, Body=b"0")
    out = multiprocessing.Queue()
    start = time.perf_counter() + 6  # the readers started (boto3 imported) before the first overwrite
    until = start + count / rate + 1.5
    procs = [multiprocessing.Process(target=_poll, args=(overlay_url, bucket, names, until, out)) for _ in range(readers)]
    for p in procs:
        p.start()
    writers = [threading.Thread(target=_write, args=(remote_url, remote_keys, bucket, name, range(1 + k, count + 1, keys), start, rate / keys, acked[name]))
               for k, name in enumerate(names)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    writing = max(t for versions in acked.values() for _, t in versions) - start
    answers = [out.get() for _ in procs]
    reads = [r for seen, _ in answers for r in seen]
    for p in procs:
        p.join()
    stale = []
    for key, began, version in reads:
        newest_before = max((v for v, t in acked[key] if t < began - 1.0), default=-1)
        if version < newest_before:
            stale.append((key, version, newest_before))
    return {"overwrites": count, "keys": keys, "seconds": round(writing, 1), "rate": round(count / writing, 1), "reads": len(reads),
            "read_errors": sum(e for _, e in answers), "stale_after_1s": len(stale), "stale_examples": stale[:5]}


def warm(overlay, relay, bucket, rounds):
    key = "warm.txt"
    overlay_body = body(overlay, bucket, key)
    assert overlay_body == b"warm", overlay_body
    time.sleep(0.5)  # the fill stores after the reader has its bytes
    mark = relay.mark()
    for _ in range(rounds):
        assert body(overlay, bucket, key) == b"warm"
    return {"warm_reads": rounds, "remote_requests": len(relay.since(mark))}


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lags", type=int, default=200)
    parser.add_argument("--overwrites", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--keys", type=int, default=12)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    rgw = Rgw()
    results = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cores": os.cpu_count(), "persistent_topics": PERSISTENT, "transports": {}}
    try:
        rabbit = start_rabbitmq()
        relay = Relay("events-relay", rgw.url)
        remote = client(rgw.url, rgw.main)
        for transport in ("http", "amqp"):
            bucket = f"events-{transport}-{int(time.time())}"
            remote.create_bucket(Bucket=bucket)
            remote.put_object(Bucket=bucket, Key="warm.txt", Body=b"warm")
            env = {"S3_OVERLAY_REMOTE_ENDPOINT": relay.url, "S3_OVERLAY_REMOTE_ADDRESSING_STYLE": "path",
                   "S3_OVERLAY_REMOTE_ACCESS_KEY_ID": rgw.main[0], "S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY": rgw.main[1],
                   "S3_OVERLAY_CACHE_ENABLED": "true", "S3_OVERLAY_REMOTE_BUCKETS": bucket}
            if transport == "http":
                env["S3_OVERLAY_REMOTE_EVENTS_TOKEN"] = TOKEN
            else:
                env.update({"S3_OVERLAY_REMOTE_EVENTS_AMQP_URL": f"amqp://guest:guest@127.0.0.1:{rabbit.port}/",
                            "S3_OVERLAY_REMOTE_EVENTS_AMQP_EXCHANGE": "bench-events", "S3_OVERLAY_REMOTE_EVENTS_AMQP_ROUTING_KEY": bucket,
                            "S3_OVERLAY_REMOTE_EVENTS_AMQP_QUEUE": "bench-" + bucket})
            proxy = start_proxy(f"events-{transport}", WORK / f"events-{transport}", env)
            if transport == "http":
                notify(rgw, bucket, bucket, f"{proxy.url}/_overlay/events?token={TOKEN}")
            else:
                time.sleep(3)  # the proxy declares the exchange and binds its queue as it connects
                notify(rgw, bucket, bucket, f"amqp://127.0.0.1:{rabbit.port}", **{"amqp-exchange": "bench-events", "amqp-ack-level": "broker"})
            overlay = client(proxy.url, PROXY_KEYS)
            found = {"warm": warm(overlay, relay, bucket, 1000)}
            lag = lags(remote, overlay, bucket, args.lags)
            found["lag_ms"] = {"rounds": len(lag), "p50": round(percentile(lag, 50) * 1000, 1), "p99": round(percentile(lag, 99) * 1000, 1),
                               "max": round(max(lag) * 1000, 1), "mean": round(statistics.mean(lag) * 1000, 1)}
            found["overwrites"] = overwrites(remote, rgw.url, rgw.main, proxy.url, bucket, args.overwrites, args.rate, args.readers, args.keys)
            results["transports"][transport] = found
            print(transport, json.dumps(found), flush=True)
            proxy.stop()
    finally:
        stop_all()
        rgw.stop()
    stem = "remote_events" + ("" if PERSISTENT == "true" else "_not_persistent")
    (RESULTS / f"{stem}.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [f"Remote events ({results['date']}, {results['cores']} cores; RGW 16.2 the remote, persistent topics {PERSISTENT}, the overlay on its embedded store):", "",
             "| transport | lag p50 | lag p99 | lag max | overwrites (keys, rate reached) | reads | stale after 1 s | remote requests / warm read |",
             "|---|---|---|---|---|---|---|---|"]
    for name, f in results["transports"].items():
        o, lag = f["overwrites"], f["lag_ms"]
        lines.append(f"| {name} | {lag['p50']} ms | {lag['p99']} ms | {lag['max']} ms | {o['overwrites']} ({o['keys']} keys, {o['rate']}/s) | {o['reads']} | {o['stale_after_1s']} | "
                     f"{f['warm']['remote_requests'] / f['warm']['warm_reads']:.2f} |")
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
