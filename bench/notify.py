"""PUT with bucket notifications beside the same without, in one run: 4 KiB PUTs (wrk -c16, 8 s)
to a proxy with no notifications, with a webhook target (nginx answering 200 to every POST) and
with an AMQP target (a throw-away RabbitMQ node, publisher confirms), alternated per round. Then
how fast the events of the run drained: each target's deliveries per second from the start of
the PUTs until nothing was queued (the status page's figures).

    python3 bench/notify.py [rounds]      (bench/run.sh publishes the proxy first; BENCH_PROXY=folder of a build otherwise)
"""
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import measure  # noqa: E402
from bench import client, presigned_path, write_file  # noqa: E402
from servers import PROXY_KEYS, ROOT, WORK, Server, free_port, start_nginx, start_proxy, stop_all  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 2
SECONDS = 8
SIZE = 4096


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


def status(proxy):
    with urllib.request.urlopen(proxy.url + "/_overlay/status?format=json") as answer:
        return json.load(answer).get("notifications")


def main():
    body = WORK / "notify-body-4k"
    write_file(body, SIZE, "notify")
    webhook_port = free_port()
    webhook = start_nginx("notify-webhook", f"server {{ listen 127.0.0.1:{webhook_port}; location / {{ return 200; }} }}")
    rabbit, amqp_port = start_rabbitmq()
    targets = {
        "none": ({}, None),
        "webhook": ({"S3_OVERLAY_NOTIFY_WEBHOOK_ENDPOINT_bench": f"http://127.0.0.1:{webhook_port}/events"}, "arn:minio:sqs::bench:webhook"),
        "amqp": ({"S3_OVERLAY_NOTIFY_AMQP_URL_bench": f"amqp://guest:guest@127.0.0.1:{amqp_port}/",
                  "S3_OVERLAY_NOTIFY_AMQP_EXCHANGE_bench": "bench", "S3_OVERLAY_NOTIFY_AMQP_ROUTING_KEY_bench": "events"},
                 "arn:minio:sqs::bench:amqp"),
    }
    print("| round | target | PUT 4 KiB req/s | p50 ms | p99 ms | events | delivered per s (PUTs' start to drained) |\n|---|---|---|---|---|---|---|", flush=True)
    try:
        for round_ in range(ROUNDS):
            for name, (env, arn) in targets.items():
                data = WORK / f"notify-{name}"
                shutil.rmtree(data, ignore_errors=True)
                proxy = start_proxy(f"notify-{name}", data, env)
                s3 = client(proxy.url, PROXY_KEYS)
                s3.create_bucket(Bucket="bench")
                if arn:
                    s3.put_bucket_notification_configuration(Bucket="bench", NotificationConfiguration={
                        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
                put = presigned_path(s3, "bench", "obj", "put_object")
                measure.wrk(proxy.url, put_path=put, put_body=body, seconds=2)  # warm-up, its events drained below too
                while arn and status(proxy)["targets"][0]["queued"] > 0:
                    time.sleep(0.1)
                before = status(proxy)["targets"][0]["delivered"] if arn else 0
                started = time.time()
                r = measure.wrk(proxy.url, put_path=put, put_body=body, seconds=SECONDS)
                rate, events = "", ""
                if arn:
                    while status(proxy)["targets"][0]["queued"] > 0:
                        time.sleep(0.05)
                    delivered = status(proxy)["targets"][0]["delivered"] - before
                    events = str(delivered)
                    rate = f"{delivered / (time.time() - started):.0f}"
                print(f"| {round_} | {name} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {events} | {rate} |", flush=True)
                proxy.stop()
    finally:
        stop_all()
        del webhook, rabbit


if __name__ == "__main__":
    main()
