"""The chunked first byte against the 1 MiB one (bench/README.md's time-to-first-byte row), through the shipped proxy, for
several proxies read by turns so the machine's drift falls on all alike. Each variant is a proxy
over a remote, with settings of its own:

- s3rver: the bench's remote, which spends about 5 ms of CPU per MiB it sends and so holds
  one of two cores for the whole of a 64 MiB answer;
- own: our own server on its embedded store, which sends for a tenth of that.

A new curl connection per GET; each 64 MiB read after sync and 0.2 s, as bench.py does; per round,
each variant's 1 MiB, then its 64 MiB, then the remote's own 1 MiB.

    /usr/bin/python3 bench/chunked_remotes.py                                        (s3rver and own; N=10 reads each)
    VARIANTS=s3rver,s3rver:S3_OVERLAY_CACHE_ENABLED=false /usr/bin/python3 bench/chunked_remotes.py
    (a variant is remote[:NAME=VALUE;NAME=VALUE], the proxy's settings after the colon)
"""
import os
import shutil
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402
from bench import MiB, client, presigned_path, settle, write_file  # noqa: E402
from servers import PROXY_KEYS, S3RVER_KEYS, WORK, overlay_env, start_proxy, start_s3rver, stop_all  # noqa: E402

N = int(os.environ.get("N", "10"))
data = WORK / "chunked-remotes"


def variants():
    """The VARIANTS setting as (label, remote, proxy settings); a variant is remote[:NAME=VALUE;NAME=VALUE]."""
    out = []
    for spec in os.environ.get("VARIANTS", "s3rver,own").split(","):
        remote, _, settings = spec.partition(":")
        out.append((spec, remote, dict(e.split("=", 1) for e in settings.split(";") if e)))
    return out


def main():
    servers = {"s3rver": (start_s3rver(data / "s3rver"), S3RVER_KEYS)}
    if any(remote == "own" for _, remote, _ in variants()):
        servers["own"] = (start_proxy("remote-own", data / "remote-own"), PROXY_KEYS)
    src1, src64 = data / "1m.bin", data / "64m.bin"
    write_file(src1, MiB, "c1")
    write_file(src64, 64 * MiB, "c64")
    runs = []
    for i, (label, remote, settings) in enumerate(variants()):
        server, keys = servers[remote]
        signer, bucket = client(server.url, keys), f"cold{i}"
        signer.create_bucket(Bucket=bucket)
        proxy = start_proxy(f"proxy-{i}", data / f"proxy-{i}", {**overlay_env(server.url, keys), **settings})
        for k in range(100):
            signer.put_object(Bucket=bucket, Key=f"w/{k}", Body=f"w{k}".encode() * 1000)
        for kind, src, n in (("1m", src1, N), ("64m", src64, N + 2)):
            for k in range(n):
                with open(src, "rb") as f:
                    signer.put_object(Bucket=bucket, Key=f"{kind}/{k}", Body=f)
        # Past its first fills, and two chunked reads unmeasured: the first compiles the chunked path.
        pc = client(proxy.url, PROXY_KEYS)
        for k in range(100):
            measure.ttfb_ms(proxy.url + presigned_path(pc, bucket, f"w/{k}"))
        for k in range(N, N + 2):
            measure.ttfb_ms(proxy.url + presigned_path(pc, bucket, f"64m/{k}"))
        runs.append((label, server, signer, bucket, proxy, pc, {"1m": [], "64m": [], "remote": []}))
    for k in range(N):
        for _, server, signer, bucket, proxy, pc, reads in runs:
            reads["1m"].append(measure.ttfb_ms(proxy.url + presigned_path(pc, bucket, f"1m/{k}"))[0])
            settle()
            reads["64m"].append(measure.ttfb_ms(proxy.url + presigned_path(pc, bucket, f"64m/{k}"))[0])
            reads["remote"].append(measure.ttfb_ms(server.url + presigned_path(signer, bucket, f"1m/{k}"))[0])
    for label, *_, reads in runs:
        one = statistics.median(reads["1m"])
        chunked = reads["64m"]
        print(f"{label}: the remote's own 1 MiB first byte {statistics.median(reads['remote']):.1f} ms; "
              f"the proxy's 1 MiB median {one:.1f} ({' '.join(f'{x:.1f}' for x in reads['1m'])}); "
              f"64 MiB chunked {' '.join(f'{x:.1f}' for x in chunked)} (median {statistics.median(chunked):.1f}); "
              f"within 1.5 x the 1 MiB median: {sum(x <= 1.5 * one for x in chunked)} of {len(chunked)}", flush=True)


if __name__ == "__main__":
    shutil.rmtree(data, ignore_errors=True)
    try:
        main()
    finally:
        stop_all()
        shutil.rmtree(data, ignore_errors=True)
