"""Warm GETs (local hits of the embedded store) with and without a runtime setting: whether a
setting that makes a fresh process cheaper (fresh.py) costs the warm rows anything. A proxy per
setting and round, alternated; each is loaded until steady (measure.warm_up), then wrk -c16 for
8 s; the proxy's CPU per request from /proc (utime + stime), which a busy machine disturbs less
than req/s.

    python3 bench/warm_settings.py [rounds]      (bench/run.sh publishes the proxy first)
    WARM_SETTINGS=default WARM_BUILD_AOT=/path/to/publish python3 bench/warm_settings.py 3

Another build (WARM_BUILD_<NAME>=folder of a publish, e.g. a Native AOT one) is measured as NAME
(and NAME+<setting>), alternated with the rest; WARM_SETTINGS=a,b measures only those.
"""
import os
import pathlib
import shutil
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import cold  # noqa: E402
import measure  # noqa: E402
from bench import client, presigned_path, write_file  # noqa: E402
from servers import PROXY_KEYS, WORK, start_proxy, stop_all  # noqa: E402

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 2
MiB = 1024 * 1024
SETS = {"4k": (4096, 200), "1m": (MiB, 64)}
# "default" is what ships (dynamic PGO on, the runtime's default); TieredPGO=1 sets it outright, beside
# whatever the caller's environment says (test.sh turns it off for the tests' short-lived processes).
ENVS = {"default": {}, "TieredPGO=1": {"DOTNET_TieredPGO": "1"}}
BUILDS = {k[len("WARM_BUILD_"):].lower(): pathlib.Path(v) for k, v in os.environ.items() if k.startswith("WARM_BUILD_")}
# name -> (environment, build folder or None for bench/run.sh's publish)
ALL_SETTINGS = {name: (env, None) for name, env in ENVS.items()}
for build, folder in BUILDS.items():
    ALL_SETTINGS.update({(build if name == "default" else f"{build}+{name}"): (env, folder) for name, env in ENVS.items()})
SETTINGS = {name: setting for name, setting in ALL_SETTINGS.items()
            if name in os.environ.get("WARM_SETTINGS", ",".join(ALL_SETTINGS)).split(",")}
SECONDS = 8


def main():
    data = WORK / "warm-settings"
    shutil.rmtree(data, ignore_errors=True)
    for name, (size, count) in SETS.items():
        for i in range(count):
            write_file(data / "bench" / f"{name}/obj-{i:04d}", size, f"{name}{i}")  # an existing folder served as a bucket
    print("| round | setting | set | req/s | MB/s | proxy CPU µs per request |\n|---|---|---|---|---|---|", flush=True)
    try:
        for round_ in range(ROUNDS):
            for setting, (env, build) in SETTINGS.items():
                proxy = start_proxy(f"warm-{setting.replace('=', '').replace('+', '-')}", data, env, build=build)
                signer = client(proxy.url, PROXY_KEYS)
                for name, (_, count) in SETS.items():
                    paths = [presigned_path(signer, "bench", f"{name}/obj-{i:04d}") for i in range(count)]
                    for p in paths:  # first touch: the store learns the plain files
                        urllib.request.urlopen(proxy.url + p).read()
                    r, us = measure.steady_cpu(proxy, paths, SECONDS, cold.cpu_seconds)
                    print(f"| {round_} | {setting} | {name} | {r['rps']:.0f} | {r['mbs']:.0f} | {us:.0f} |", flush=True)
                proxy.stop()
    finally:
        stop_all()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
