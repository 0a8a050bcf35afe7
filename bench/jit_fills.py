"""A fresh proxy's cold 1 MiB fills from s3rver, per 100 fills: its CPU, its JIT tier-up thread's,
and how many methods the JIT compiled (DOTNET_JitDisasmSummary, which the release runtime honours).
Which build and runtime settings: BENCH_PROXY=publish folder, then NAME=VALUE environment pairs.

    BENCH_PROXY=bench/work/proxy N=1500 python3 bench/jit_fills.py /tmp/jit.txt DOTNET_TieredCompilation=0
"""
import os, sys, shutil
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cold
from bench import client, presigned_path
from servers import PROXY_KEYS, WORK, start_proxy, start_s3rver, stop_all, overlay_env
out = sys.argv[1]
N = int(os.environ.get("N", "1200"))
extra = dict(x.split("=", 1) for x in sys.argv[2:])
data = WORK / "jitcount"
shutil.rmtree(data, ignore_errors=True)
if os.path.exists(out): os.unlink(out)
try:
    remote = start_s3rver(data / "remote")
    seed = client(remote.url, ("S3RVER", "S3RVER"))
    seed.create_bucket(Bucket="cold")
    body = os.urandom(int(os.environ.get("SIZE", "1048576")))
    for i in range(N):
        seed.put_object(Bucket="cold", Key=f"k{i:05d}", Body=body)
    proxy = start_proxy("jitcount", data / "proxy", {**overlay_env(remote.url), "DOTNET_JitDisasmSummary": "1", "DOTNET_JitStdOutFile": out, **extra})
    c = client(proxy.url, PROXY_KEYS)
    paths = [presigned_path(c, "cold", f"k{i:05d}") for i in range(N)]
    r = cold.Reader(proxy.url)
    def lines():
        try: return sum(1 for _ in open(out))
        except FileNotFoundError: return 0
    print("at start", lines(), "compiled", flush=True)
    for w in range(0, N, 100):
        c0, j0, n0 = cold.cpu_seconds([proxy.pid]), cold.jit_seconds([proxy.pid]), lines()
        for p in paths[w:w+100]: r.get(p)
        print(f"fills {w+1}-{w+100}: {(cold.cpu_seconds([proxy.pid]) - c0) * 10:.2f} ms CPU/fill, jit thread {(cold.jit_seconds([proxy.pid]) - j0) * 10:.2f}, compiled +{lines() - n0}", flush=True)
finally:
    stop_all()
