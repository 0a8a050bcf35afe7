"""A fresh process's first fills against its steady state, for several builds.

Each build gets a warm proxy (WARM cold 1 MiB fills from s3rver first, past the JIT's tier-up);
then, per run and build in turn, a fresh proxy of that build on a new store reads its first FILLS
objects, and the warm one reads FILLS objects new to it right before and FILLS right after
(cold.bracketed_sweep): the ratio is the fresh process's premium over the steady state of the
same seconds, which a steady state measured minutes apart cannot give (it moved by 2 x).

    /usr/bin/python3 bench/fresh_builds.py NAME=PUBLISH_FOLDER[:ENV=VALUE,...] ...    (RUNS=3 FILLS=100 WARM=1500)
    /usr/bin/python3 bench/fresh_builds.py r2r=bench/work/proxy aot=bench/work/aot aot-ws=bench/work/aot:DOTNET_gcServer=0

The pair SKELETON=1 is no setting of the proxy's: it makes the warm store's folders in each fresh
store before its proxy starts (whether creating them is part of the premium: it was not, 26 Nov).
"""
import os
import pathlib
import shutil
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cold  # noqa: E402
from bench import MiB, client, presigned_path, seed  # noqa: E402
from servers import PROXY_KEYS, S3RVER_KEYS, WORK, overlay_env, start_proxy, start_s3rver, stop_all  # noqa: E402

RUNS = int(os.environ.get("RUNS", "3"))
FILLS = int(os.environ.get("FILLS", "100"))
WARM = int(os.environ.get("WARM", "1500"))
BUCKET = "builds"


def parse(arg):
    name, rest = arg.split("=", 1)
    folder, _, envs = rest.partition(":")
    return name, pathlib.Path(folder).resolve(), dict(e.split("=", 1) for e in envs.split(",") if e)


def start_remote(data, bucket):
    """A new s3rver under `data` (emptied first) with `bucket` made: the server and a client of it."""
    shutil.rmtree(data, ignore_errors=True)
    remote = start_s3rver(data / "remote")
    remote_client = client(remote.url, S3RVER_KEYS)
    remote_client.create_bucket(Bucket=bucket)
    return remote, remote_client


def main():
    builds = [parse(a) for a in sys.argv[1:]]
    data = WORK / "fresh-builds"
    try:
        remote, remote_client = start_remote(data, BUCKET)
        # A warm proxy reads keys 0 .. WARM, then 2 * FILLS new ones a run; a fresh one (a new store) reads 0 .. FILLS.
        total = WARM + RUNS * 2 * FILLS
        seed(remote_client, BUCKET, [f"k{i:05d}" for i in range(total)])
        warm = {}
        for name, folder, env in builds:
            proxy = start_proxy(f"warm-{name}", data / f"warm-{name}", {**overlay_env(remote.url), **env}, build=folder)
            paths = [presigned_path(client(proxy.url, PROXY_KEYS), BUCKET, f"k{i:05d}") for i in range(total)]
            cold.sweep(proxy.url, paths[:WARM], [proxy.pid], MiB)
            warm[name] = (proxy, paths[WARM:])
        results = {name: [] for name, _, _ in builds}
        for run in range(RUNS):
            for name, folder, env in builds:
                steady, steady_paths = warm[name]
                store = data / f"fresh-{name}-{run}"
                if env.get("SKELETON") == "1":  # the warm store's folders made before the fresh process starts
                    for made, _, _ in os.walk(data / f"warm-{name}"):
                        (store / pathlib.Path(made).relative_to(data / f"warm-{name}")).mkdir(parents=True, exist_ok=True)
                fresh = start_proxy(f"fresh-{name}", store, {**overlay_env(remote.url), **env}, build=folder)
                try:
                    paths = [presigned_path(client(fresh.url, PROXY_KEYS), BUCKET, f"k{i:05d}") for i in range(FILLS)]
                    m = cold.bracketed_sweep((fresh.url, paths, [fresh.pid]),
                                             (steady.url, steady_paths[run * 2 * FILLS:(run + 1) * 2 * FILLS], [steady.pid]), MiB)
                finally:
                    fresh.stop()
                    shutil.rmtree(store, ignore_errors=True)
                results[name].append(m)
                print(f"{name} run {run}: first {FILLS} fills {m['cpu_ms_per_object']:.2f} ms a fill (jit {m['jit_ms_per_object']:.2f}), "
                      f"the warm proxy {m['steady_cpu_ms_per_object']:.2f}: {m['cpu_ms_per_object'] / m['steady_cpu_ms_per_object']:.2f} x", flush=True)
        print(f"\n| build | first {FILLS} fills of a fresh process (ms CPU a fill) | the warm process before and after | fresh / warm, each run | median |")
        print("|---|---|---|---|---|")
        for name, runs in results.items():
            fresh = [m["cpu_ms_per_object"] for m in runs]
            steady = [m["steady_cpu_ms_per_object"] for m in runs]
            ratios = [f / s for f, s in zip(fresh, steady)]
            print(f"| {name} | {' · '.join(f'{x:.1f}' for x in fresh)} | {' · '.join(f'{x:.1f}' for x in steady)} "
                  f"| {' · '.join(f'{x:.2f}' for x in ratios)} | {statistics.median(ratios):.2f} |")
    finally:
        stop_all()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
