"""Where a cold 1 MiB fill's CPU goes: one proxy over s3rver, WARM fills past the JIT's tier-up,
then `perf record -g` over FILLS more, and the samples sorted into what they were doing (MD5 or
CRC, the store's file calls, the relay's socket calls, thread hand-offs, the runtime, managed code),
each as a share and as ms of a fill.

    /usr/bin/python3 bench/cold_profile.py PUBLISH_FOLDER [ENV=VALUE ...]     (WARM=1500 FILLS=600)
    REMOTE=crc /usr/bin/python3 bench/cold_profile.py bench/work/proxy S3_OVERLAY_CACHE_ENABLED=false

REMOTE=crc: the remote offers a full-object checksum (remote_checksums.py), which verifies the
fills instead of MD5.

The proxy runs with the runtime's perf map and W^X off, so `perf report -i bench/work/cold-profile.data`
can name its compiled methods afterwards.
"""
import collections
import os
import pathlib
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cold  # noqa: E402
from bench import MiB, client, presigned_path, seed  # noqa: E402
from fresh_builds import start_remote  # noqa: E402
from remote_checksums import sending_crc64nvme  # noqa: E402
from servers import PROXY_KEYS, S3RVER_KEYS, WORK, overlay_env, start_proxy, stop_all  # noqa: E402

CRC = os.environ.get("REMOTE") == "crc"
WARM = int(os.environ.get("WARM", "1500"))
FILLS = int(os.environ.get("FILLS", "600"))
BUCKET = "profile"
DATA = WORK / "cold-profile.data"

# First match wins, the sample's top frame or its whole stack tested in this order.
KINDS = [
    ("MD5 (OpenSSL)", lambda top, stack: "libcrypto" in top),
    ("CRC64NVME (carry-less folding)", lambda top, stack: "CrcFolding" in top),
    ("file: pwrite", lambda top, stack: "ksys_pwrite" in stack or "vfs_write" in stack),
    ("file: create, open", lambda top, stack: "path_openat" in stack),
    ("file: rename, statx, mkdir, unlink", lambda top, stack: any(s in stack for s in ("rename", "statx", "mkdir", "unlink"))),
    ("file: fsync", lambda top, stack: "fsync" in stack),
    ("socket: sendfile", lambda top, stack: "sendfile" in stack or "splice" in stack),
    ("socket: recv", lambda top, stack: "sock_recvmsg" in stack or "tcp_recvmsg" in stack),
    ("socket: send", lambda top, stack: "tcp_sendmsg" in stack),
    ("threads: futex, wake-ups, switches, epoll", lambda top, stack: any(s in stack for s in ("futex", "try_to_wake_up", "schedule", "finish_task_switch", "epoll"))),
    ("other system calls and the kernel", lambda top, stack: "kernel.kallsyms" in top),
    ("runtime: the JIT", lambda top, stack: "libclrjit" in top),
    ("runtime: libcoreclr", lambda top, stack: "libcoreclr" in top),
    ("libc", lambda top, stack: "libc.so" in top),
]


def kinds(script):
    """Samples of `perf script -F comm,tid,ip,sym,dso` output counted by kind."""
    counts = collections.Counter()
    for sample in script.split("\n\n"):
        lines = [line for line in sample.strip().split("\n") if line.strip()]
        if len(lines) < 2:
            continue
        top, stack = lines[1], "\n".join(lines)
        counts[next((name for name, test in KINDS if test(top, stack)), "managed code and the rest")] += 1
    return counts


def main():
    build = pathlib.Path(sys.argv[1]).resolve()
    env = dict(a.split("=", 1) for a in sys.argv[2:])
    data = WORK / "cold-profile"
    try:
        shutil.rmtree(data, ignore_errors=True)
        if CRC:
            remote = start_proxy("cold-profile-remote", data / "remote", build=build)
            remote_client = sending_crc64nvme(client(remote.url, PROXY_KEYS))
            remote_client.create_bucket(Bucket=BUCKET)
        else:
            remote, remote_client = start_remote(data, BUCKET)
        keys = [f"k{i:05d}" for i in range(WARM + FILLS)]
        seed(remote_client, BUCKET, keys)
        remote_env = overlay_env(remote.url, PROXY_KEYS if CRC else S3RVER_KEYS)
        proxy = start_proxy("cold-profile", data / "proxy", {**remote_env, "DOTNET_PerfMapEnabled": "1",
                                                            "DOTNET_EnableWriteXorExecute": "0", **env}, build=build)
        paths = [presigned_path(client(proxy.url, PROXY_KEYS), BUCKET, k) for k in keys]
        cold.sweep(proxy.url, paths[:WARM], [proxy.pid], MiB)
        perf = subprocess.Popen(["perf", "record", "-F", "999", "-g", "-p", str(proxy.pid), "-o", str(DATA)], stderr=subprocess.DEVNULL)
        time.sleep(1)  # perf attached before the first measured fill
        m = cold.sweep(proxy.url, paths[WARM:], [proxy.pid], MiB)
        perf.send_signal(2)
        perf.wait()
        script = subprocess.run(["perf", "script", "-i", str(DATA), "-F", "comm,tid,ip,sym,dso"],
                                capture_output=True, text=True, check=True).stdout
    finally:
        stop_all()
        shutil.rmtree(data, ignore_errors=True)
    counts = kinds(script)
    total = sum(counts.values())
    per_fill = m["cpu_ms_per_object"]
    print(f"{FILLS} fills past {WARM}: {per_fill:.2f} ms of CPU a fill under the profiler, {total} samples\n")
    print("| what | share | ms a fill |\n|---|---|---|")
    for name, n in counts.most_common():
        print(f"| {name} | {100 * n / total:.1f} % | {per_fill * n / total:.2f} |")


if __name__ == "__main__":
    main()
