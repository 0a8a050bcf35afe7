"""Two builds of the proxy and the minimal ASP.NET Core app on the same 200 files of 4 KiB (or 64 of 1 MiB), warm
presigned GETs (the app's plain paths), each a process of its own on the embedded store with no
remote: every one loaded until steady (measure.warm_up), then wrk -c16 rounds of 4 s rotating
among the three, so the machine's drift falls on all alike. Prints each one's req/s and CPU per
request (from /proc) and each build's req/s against the app's, round by round.

    python3 bench/warm_builds.py BEFORE AFTER [rounds]          (SIZE=1m: the 1 MiB files, MB/s too)

BEFORE and AFTER are folders of `dotnet publish S3Overlay.Proxy -c Release --use-current-runtime
--self-contained false -o FOLDER`; bench/run.sh publishes the minimal app (bench/work/minimal-app).
"""
import os
import pathlib
import shutil
import statistics
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import cold  # noqa: E402
import measure  # noqa: E402
from bench import client, presigned_path, write_file  # noqa: E402
from servers import PROXY_KEYS, WORK, start_minimal_app, start_proxy, stop_all  # noqa: E402

BUILDS = {"before": pathlib.Path(sys.argv[1]), "after": pathlib.Path(sys.argv[2])}
ROUNDS = int(sys.argv[3]) if len(sys.argv) > 3 else 12
SIZE, COUNT = (1024 * 1024, 64) if os.environ.get("SIZE") == "1m" else (4096, 200)
KEYS = [f"{SIZE // 1024}k/obj-{i:04d}" for i in range(COUNT)]


def main():
    data = WORK / "warm-builds"
    shutil.rmtree(data, ignore_errors=True)
    for key in KEYS:
        write_file(data / "files" / "bench" / key, SIZE, key)
    targets = {}
    try:
        for name, build in BUILDS.items():
            shutil.copytree(data / "files", data / name)
            proxy = start_proxy(name, data / name, build=build)
            paths = [presigned_path(client(proxy.url, PROXY_KEYS), "bench", key) for key in KEYS]
            for path in paths:  # first touch: the store describes each plain file once
                urllib.request.urlopen(proxy.url + path).read()
            targets[name] = (proxy, paths)
        app = start_minimal_app("minimal-app", data / "files")
        targets["app"] = (app, [f"/bench/{key}" for key in KEYS])
        for name, (server, paths) in targets.items():
            print(f"{name}: steady after {measure.warm_up(server.url, paths)} s", flush=True)
        runs = {name: [] for name in targets}
        names = list(targets)
        for r in range(ROUNDS):
            for name in names[r % 3:] + names[:r % 3]:
                server, paths = targets[name]
                cpu0 = cold.cpu_seconds([server.pid])
                m = measure.wrk(server.url, paths, seconds=4)
                runs[name].append((m["rps"], (cold.cpu_seconds([server.pid]) - cpu0) * 1e6 / (m["rps"] * 4)))
        for name, rows in runs.items():
            rps, cpu = [x[0] for x in rows], [x[1] for x in rows]
            print(f"{name}: {statistics.median(rps):.0f} req/s ({min(rps):.0f}-{max(rps):.0f}, {statistics.median(rps) * SIZE / 1e6:.0f} MB/s), "
                  f"{statistics.median(cpu):.1f} µs CPU per request ({min(cpu):.1f}-{max(cpu):.1f})")
        for name in BUILDS:
            ratios = [runs[name][i][0] / runs["app"][i][0] for i in range(ROUNDS)]
            print(f"{name} ÷ app, req/s per round: median {statistics.median(ratios):.2f} (" + " ".join(f"{x:.2f}" for x in ratios) + ")")
    finally:
        stop_all()


if __name__ == "__main__":
    main()
