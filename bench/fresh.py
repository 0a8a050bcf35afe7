"""A fresh process's first fills: one proxy started anew, cache on, one boto3 client
reading distinct 1 MiB objects from an s3rver remote, the proxy's CPU per fill in windows of
fills (utime + stime from /proc/PID/stat). Each runtime setting gets proxies of its own, runs
interleaved, so the JIT's tier-up shows as the gap between the first window and the last.

    python3 bench/fresh.py [fills] [runs]      (bench/run.sh publishes the proxy first)
    FRESH_SETTINGS=default,TieredPGO=0,composite FRESH_BUILD_COMPOSITE=/path/to/publish python3 bench/fresh.py 800 2

The last column is the fresh-process target's ratio: the first 100 fills' CPU over the steady state's (the last 200).
"""
import os
import pathlib
import shutil
import statistics
import sys
import time

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(__file__))
from servers import WORK, start_proxy, start_s3rver, stop_all  # noqa: E402

FILLS = int(sys.argv[1]) if len(sys.argv) > 1 else 1200
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 2
WINDOW = 100
SIZE = 1024 * 1024
BUCKET = "fresh"

# Another build to compare (FRESH_BUILD_<NAME>=folder of a publish, e.g. a self-contained composite
# ReadyToRun one): its settings are named NAME and NAME+<setting>.
BUILDS = {k[len("FRESH_BUILD_"):].lower(): pathlib.Path(v) for k, v in os.environ.items() if k.startswith("FRESH_BUILD_")}

# The runtime settings compared: the default, and what shortens tier-up.
# The proxy ships with the runtime's default (dynamic PGO on), so "default" is that and TieredPGO=1
# sets it outright; TieredPGO=0 shortens the first fills' tier-up but costs every warm request more,
# and stays here to keep that choice measured.
ENVS = {
    "default": {},
    "TieredPGO=1": {"DOTNET_TieredPGO": "1"},
    "TieredPGO=0": {"DOTNET_TieredPGO": "0"},
    "CallCountingDelayMs=0": {"DOTNET_TC_CallCountingDelayMs": "0"},
    "both": {"DOTNET_TieredPGO": "0", "DOTNET_TC_CallCountingDelayMs": "0"},
    "TieredCompilation=0": {"DOTNET_TieredCompilation": "0"},
    # W^X (on by default since .NET 7) maps every page the JIT or a stub writes twice, a mapping
    # call each time: its cost falls on a process that still compiles.
    "WriteXorExecute=0": {"DOTNET_EnableWriteXorExecute": "0"},
}
# name -> (environment, build folder or None for bench/run.sh's publish)
ALL_SETTINGS = {name: (env, None) for name, env in ENVS.items()}
for build, folder in BUILDS.items():
    ALL_SETTINGS.update({(build if name == "default" else f"{build}+{name}"): (env, folder) for name, env in ENVS.items()})
# FRESH_SETTINGS=default,CallCountingDelayMs=0 measures only those.
SETTINGS = {name: setting for name, setting in ALL_SETTINGS.items()
            if name in os.environ.get("FRESH_SETTINGS", ",".join(ENVS)).split(",")}


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client(url, key, secret):
    return boto3.client("s3", endpoint_url=url, aws_access_key_id=key, aws_secret_access_key=secret,
                        region_name="us-east-1", config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


def one_run(remote, name, setting, run):
    env, build = setting
    data = WORK / f"fresh-{run}-{name.replace('=', '').replace('+', '-')}"
    shutil.rmtree(data, ignore_errors=True)
    proxy = start_proxy(f"fresh-{name.replace('=', '').replace('+', '-')}", data, build=build, env={
        "S3_OVERLAY_REMOTE_ENDPOINT": remote.url, "S3_OVERLAY_REMOTE_ACCESS_KEY_ID": "S3RVER",
        "S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY": "S3RVER", "S3_OVERLAY_REMOTE_ADDRESSING_STYLE": "path",
        "S3_OVERLAY_REMOTE_BUCKETS": BUCKET, "S3_OVERLAY_CACHE_ENABLED": "true",
        "S3_OVERLAY_ACCESS_KEY": "bench", "S3_OVERLAY_SECRET_KEY": "benchsecret", **env})
    try:
        s3 = client(proxy.url, "bench", "benchsecret")
        windows = []
        start = cpu_seconds(proxy.pid)
        for i in range(FILLS):
            s3.get_object(Bucket=BUCKET, Key=f"k{run}-{i:05d}")["Body"].read()
            if (i + 1) % WINDOW == 0:
                now = cpu_seconds(proxy.pid)
                windows.append((now - start) * 1000 / WINDOW)
                start = now
        return windows
    finally:
        proxy.stop()
        shutil.rmtree(data, ignore_errors=True)


def main():
    WORK.mkdir(parents=True, exist_ok=True)
    remote_dir = WORK / "fresh-remote"
    shutil.rmtree(remote_dir, ignore_errors=True)
    remote = start_s3rver(remote_dir)
    try:
        seed = client(remote.url, "S3RVER", "S3RVER")
        seed.create_bucket(Bucket=BUCKET)
        body = os.urandom(SIZE)
        for run in range(RUNS):
            for i in range(FILLS):
                seed.put_object(Bucket=BUCKET, Key=f"k{run}-{i:05d}", Body=body)
        results = {name: [] for name in SETTINGS}
        for run in range(RUNS):
            for name, setting in SETTINGS.items():
                # A fresh data folder: every fill is cold, whichever setting read these keys before.
                results[name].append(one_run(remote, name, setting, run))
                time.sleep(2)
        windows = FILLS // WINDOW
        header = "| setting | " + " | ".join(f"fills {w * WINDOW + 1}-{(w + 1) * WINDOW}" for w in range(windows)) + " | sum | first 100 / last 200 |"
        print(f"\nProxy CPU per 1 MiB fill (ms), median of {RUNS} fresh processes each (runs: {', '.join(str(r) for r in range(RUNS))})\n")
        print(header)
        print("|" + "---|" * (windows + 3))
        for name, runs in results.items():
            medians = [statistics.median(r[w] for r in runs) for w in range(windows)]
            # The target: the first 100 fills at most 1.3 x the steady state (here the last 200).
            tax = medians[0] / statistics.mean(medians[-2:])
            total = statistics.median(sum(r) * WINDOW / 1000 for r in runs)
            print(f"| {name} | " + " | ".join(f"{m:.1f}" for m in medians) + f" | {total:.1f} s | {tax:.2f} |")
        for name, runs in results.items():
            for r in runs:
                print(name, " ".join(f"{v:.1f}" for v in r))
    finally:
        stop_all()


if __name__ == "__main__":
    main()
