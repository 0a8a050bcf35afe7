"""Cold 1 MiB fills from s3rver through proxies that differ by a runtime setting or a build, side
by side: each proxy warmed past the JIT's tier-up first, then rounds of FILLS objects new to all
of them, the proxies taking turns (their order rotating) so whatever else the machine does falls
on each alike. CPU per fill from /proc (utime + stime), as the sweep measures it.

    /usr/bin/python3 bench/cold_settings.py NAME=PUBLISH_FOLDER[:ENV=VALUE,...] ...   (ROUNDS=6 FILLS=100 WARM=1500)
    /usr/bin/python3 bench/cold_settings.py base=bench/work/proxy off=bench/work/proxy:S3_OVERLAY_CACHE_ENABLED=false
"""
import os
import statistics
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cold  # noqa: E402
from bench import MiB, client, presigned_path, seed  # noqa: E402
from fresh_builds import parse, start_remote  # noqa: E402
from servers import PROXY_KEYS, WORK, overlay_env, start_proxy, stop_all  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "6"))
FILLS = int(os.environ.get("FILLS", "100"))
WARM = int(os.environ.get("WARM", "1500"))
BUCKET = "settings"


def main():
    settings = [parse(a) for a in sys.argv[1:]]
    data = WORK / "cold-settings"
    try:
        remote, remote_client = start_remote(data, BUCKET)
        keys = [f"k{i:05d}" for i in range(WARM + ROUNDS * FILLS)]
        seed(remote_client, BUCKET, keys)  # every proxy has a store of its own: each key is cold to each
        proxies = {}
        for name, folder, env in settings:
            proxy = start_proxy(f"cold-{name}", data / name, {**overlay_env(remote.url), **env}, build=folder)
            signer = client(proxy.url, PROXY_KEYS)
            paths = [presigned_path(signer, BUCKET, k) for k in keys]
            cold.sweep(proxy.url, paths[:WARM], [proxy.pid], MiB)
            proxies[name] = (proxy, paths[WARM:])
        results = {name: [] for name in proxies}
        names = list(proxies)
        for r in range(ROUNDS):
            for name in names[r % len(names):] + names[:r % len(names)]:
                proxy, paths = proxies[name]
                m = cold.sweep(proxy.url, paths[r * FILLS:(r + 1) * FILLS], [proxy.pid], MiB)
                results[name].append(m["cpu_ms_per_object"])
                print(f"round {r} {name}: {m['cpu_ms_per_object']:.2f} ms a fill (jit {m['jit_ms_per_object']:.2f}), "
                      f"{m['objects_per_s']:.0f} objects/s", flush=True)
        print(f"\n| setting | CPU ms a fill, each round of {FILLS} | median |\n|---|---|---|")
        for name, xs in results.items():
            print(f"| {name} | {' · '.join(f'{x:.2f}' for x in xs)} | {statistics.median(xs):.2f} |")
    finally:
        stop_all()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
