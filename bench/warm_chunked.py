"""Warm reads of one large chunked object through proxies that differ by a build or a setting: each
proxy fills the object once (from s3rver, in chunks), then curl reads it whole from each in turn,
ROUNDS times. Prints MB/s and the proxy's CPU per read (from /proc), round by round and median.

    /usr/bin/python3 bench/warm_chunked.py NAME=PUBLISH_FOLDER[:ENV=VALUE,...] ...   (SIZE_MIB=512 ROUNDS=5)
    /usr/bin/python3 bench/warm_chunked.py base=bench/work/proxy copy=bench/work/proxy:S3_OVERLAY_SENDFILE=false
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cold  # noqa: E402
from bench import client, presigned_path  # noqa: E402
from fresh_builds import parse, start_remote  # noqa: E402
from servers import PROXY_KEYS, WORK, overlay_env, start_proxy, stop_all  # noqa: E402

SIZE = int(os.environ.get("SIZE_MIB", "512")) * 1024 * 1024
ROUNDS = int(os.environ.get("ROUNDS", "5"))
BUCKET = "chunked"


def read(url):
    """Seconds to read `url` whole with curl, discarding the body."""
    started = time.monotonic()
    subprocess.run(["curl", "-sf", "-o", "/dev/null", url], check=True)
    return time.monotonic() - started


def main():
    settings = [parse(a) for a in sys.argv[1:]]
    data = WORK / "warm-chunked"
    try:
        remote, remote_client = start_remote(data, BUCKET)
        source = data / "object.bin"
        with open(source, "wb") as f:
            for _ in range(SIZE // (1 << 20)):
                f.write(os.urandom(1 << 20))
        remote_client.upload_file(str(source), BUCKET, "object")
        source.unlink()
        proxies = {}
        for name, folder, env in settings:
            proxy = start_proxy(f"chunked-{name}", data / name, {**overlay_env(remote.url), **env}, build=folder)
            url = proxy.url + presigned_path(client(proxy.url, PROXY_KEYS), BUCKET, "object")
            read(url)  # the fill: every chunk fetched and stored
            read(url)  # once warm, unmeasured: the JIT's first pass over the warm path
            proxies[name] = (proxy, url)
        results = {name: [] for name in proxies}
        for r in range(ROUNDS):
            for name, (proxy, url) in proxies.items():
                cpu = cold.cpu_seconds([proxy.pid])
                seconds = read(url)
                cpu = cold.cpu_seconds([proxy.pid]) - cpu
                results[name].append((SIZE / seconds / 1e6, cpu * 1000))
                print(f"round {r} {name}: {SIZE / seconds / 1e6:.0f} MB/s, proxy CPU {cpu * 1000:.0f} ms", flush=True)
        print(f"\n| build | MB/s, each round | median | proxy CPU ms a read, each round | median |\n|---|---|---|---|---|")
        for name, rows in results.items():
            mbs, cpu = [x[0] for x in rows], [x[1] for x in rows]
            print(f"| {name} | {' · '.join(f'{x:.0f}' for x in mbs)} | {statistics.median(mbs):.0f} | "
                  f"{' · '.join(f'{x:.0f}' for x in cpu)} | {statistics.median(cpu):.0f} |")
    finally:
        stop_all()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
