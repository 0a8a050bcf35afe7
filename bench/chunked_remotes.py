"""The chunked first byte against the 1 MiB one (issue 27's row), through the shipped proxy over two
remotes: s3rver, which spends about 5 ms of CPU per MiB it sends and so holds one of this machine's
two cores for the whole of a 64 MiB answer, and our own server on its embedded store, which sends
for a tenth of that. A new curl connection per GET; each 64 MiB read after sync and 0.2 s, as
bench.py does. Reads are interleaved: 1 MiB, 64 MiB, then the remote's own 1 MiB, per remote.

    /usr/bin/python3 bench/chunked_remotes.py        (N=10 reads each; bench/run.sh publishes the proxy first)
"""
import os
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import measure  # noqa: E402
from bench import MiB, client, presigned_path, write_file  # noqa: E402
from servers import PROXY_KEYS, S3RVER_KEYS, WORK, overlay_env, start_proxy, start_s3rver, stop_all  # noqa: E402

N = int(os.environ.get("N", "10"))
data = WORK / "chunked-remotes"
shutil.rmtree(data, ignore_errors=True)


def settle():
    os.sync()
    time.sleep(0.2)


def main():
    s3 = start_s3rver(data / "s3rver")
    own = start_proxy("remote-own", data / "remote-own")
    remotes = {"s3rver": (s3, client(s3.url, S3RVER_KEYS), S3RVER_KEYS), "own": (own, client(own.url, PROXY_KEYS), PROXY_KEYS)}
    proxies = {}
    src1, src64 = data / "1m.bin", data / "64m.bin"
    write_file(src1, MiB, "c1")
    write_file(src64, 64 * MiB, "c64")
    for name, (server, signer, keys) in remotes.items():
        signer.create_bucket(Bucket="cold")
        proxies[name] = start_proxy(f"proxy-over-{name}", data / f"proxy-{name}", overlay_env(server.url, keys))
        for i in range(100):
            signer.put_object(Bucket="cold", Key=f"w/{i}", Body=f"w{i}".encode() * 1000)
        for kind, src, n in (("1m", src1, N), ("64m", src64, N + 2)):
            for i in range(n):
                with open(src, "rb") as f:
                    signer.put_object(Bucket="cold", Key=f"{kind}/{i}", Body=f)
        # Past its first fills, and two chunked reads unmeasured: the first compiles the chunked path.
        pc = client(proxies[name].url, PROXY_KEYS)
        for i in range(100):
            measure.ttfb_ms(proxies[name].url + presigned_path(pc, "cold", f"w/{i}"))
        for i in range(N, N + 2):
            measure.ttfb_ms(proxies[name].url + presigned_path(pc, "cold", f"64m/{i}"))
    reads = {(name, kind): [] for name in remotes for kind in ("1m", "64m", "direct 1m")}
    for i in range(N):
        for name, (server, signer, _) in remotes.items():
            proxy = proxies[name]
            pc = client(proxy.url, PROXY_KEYS)
            reads[(name, "1m")].append(measure.ttfb_ms(proxy.url + presigned_path(pc, "cold", f"1m/{i}"))[0])
            settle()
            reads[(name, "64m")].append(measure.ttfb_ms(proxy.url + presigned_path(pc, "cold", f"64m/{i}"))[0])
            reads[(name, "direct 1m")].append(measure.ttfb_ms(server.url + presigned_path(signer, "cold", f"1m/{i}"))[0])
    for name in remotes:
        one = statistics.median(reads[(name, "1m")])
        chunked = reads[(name, "64m")]
        print(f"remote {name}: its own 1 MiB first byte {statistics.median(reads[(name, 'direct 1m')]):.1f} ms; "
              f"the proxy's 1 MiB median {one:.1f} ({' '.join(f'{x:.1f}' for x in reads[(name, '1m')])}); "
              f"64 MiB chunked {' '.join(f'{x:.1f}' for x in chunked)} (median {statistics.median(chunked):.1f}); "
              f"within 1.5 x the 1 MiB median: {sum(x <= 1.5 * one for x in chunked)} of {len(chunked)}", flush=True)


if __name__ == "__main__":
    try:
        main()
    finally:
        stop_all()
        shutil.rmtree(data, ignore_errors=True)
