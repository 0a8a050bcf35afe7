"""S3 Overlay benchmarks, side by side with nginx and s3rver in one run (see bench/README.md).

Started by bench/run.sh, which builds the proxy in Release first. Everything runs on loopback;
every server is stopped at the end. Results go to bench/results/ and the table in bench/README.md.
"""
import concurrent.futures
import hashlib
import json
import os
import shutil
import sys
import time
import urllib.parse
import urllib.request

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

import measure
import report
import cold as sweeps
from remote_checksums import sending_crc64nvme
from servers import AOT_PROXY, PROXY_KEYS, WORK, free_port, overlay_env, start_minimal_app, start_nginx, start_proxy, start_s3rver, stop_all, wait_http

QUICK = "--quick" in sys.argv
COLD_ONLY = "--cold" in sys.argv  # only the cold workloads (sweep and time to first byte): for iterating
# Taken while others used the machine: the report says so (CPU per object holds up, objects/s and latencies do not).
SHARED = "--shared" in sys.argv
SECONDS = 4 if QUICK else 6
WARM_ROUNDS = 1 if QUICK else 3
SWEEP_RUNS = 3  # the spread over three runs, never one figure
# Runs of three chunked 64 MiB first bytes per server (the target asks for "3 runs of 3").
CHUNKED_RUNS = 3
SWEEP_OBJECTS, SWEEP_WARMUP = (100, 50) if QUICK else (300, 100)
# The checksum remote's two proxies fill only their own set, so their warm-up alone must carry them
# past the JIT's tier-up (~800 fills, "A fresh process's first fills" in the README); with 100 they
# were still compiling through the first two runs (0.8-2.1 ms of a fill the tier-up thread's), and
# with 800 still through the first on 26 Nov (3.97 ms of its 11.43 the tier-up thread's): 1,500,
# the count the fresh-process target gives for a fill to reach its steady cost.
CRC_WARMUP = 200 if QUICK else 1500
MiB = 1024 * 1024


def load_average():
    """The 1-minute load average: how busy the machine was around the run."""
    return float(open("/proc/loadavg").read().split()[0])


def client(url, keys):
    return boto3.client("s3", endpoint_url=url, aws_access_key_id=keys[0], aws_secret_access_key=keys[1],
                        region_name="us-east-1",
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 0}))


def presigned_path(c, bucket, key, method="get_object"):
    url = c.generate_presigned_url(method, Params={"Bucket": bucket, "Key": key}, ExpiresIn=7200)
    parts = urllib.parse.urlsplit(url)
    return parts.path + "?" + parts.query


def write_file(path, size, seed):
    """Deterministic incompressible-looking bytes, written in 1 MiB pieces (never held whole)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    block = hashlib.sha256(str(seed).encode()).digest() * (MiB // 32)
    with open(path, "wb") as f:
        left = size
        i = 0
        while left > 0:
            piece = block[: min(left, MiB)]
            f.write(bytes([i % 251]) + piece[1:] if piece else piece)
            left -= len(piece)
            i += 1


def relay_lines(relay_log, mark):
    with open(relay_log) as f:
        f.seek(mark)
        return [line.split() for line in f.read().splitlines() if line.strip()]


def settle():
    """Before each measured 64 MiB first byte: the page cache's dirty pages written back, so a
    GET is not timed while the kernel still writes the 64 MiB the GET before it stored (the
    proxy's chunks, or nginx's cache file). Without it, whichever server came after a storing
    one paid for that write: two builds of the proxy measured by turns, the second in the order
    was 2.8 and 3.5 ms slower (26 Nov). The 1 MiB rows go without: their GETs write little,
    and a settled server is an idle one, whose first byte pays for waking up (the proxy's 1 MiB
    first byte was 8.3 ms settled against 6.1-7.2 unsettled): that makes the 64 MiB figure dearer,
    not cheaper, against the 1 MiB one."""
    os.sync()
    time.sleep(0.2)


def cold_ttfb_section(data, remote, s3rver, proxy_a, pa, cache_port, plain_relay_port):
    """Cold GET time to first byte through the proxy vs the remote itself vs nginx proxy_cache,
    each past its first fills: every server first fills (or serves) 100 other objects unmeasured,
    so the figures are a running server's, not its JIT compiling the cold path (as the warm GETs
    are loaded until steady first). Beside them, two plain relays that store and check nothing
    (nginx's unbuffered proxy_pass and the minimal ASP.NET Core app's HttpClient-to-Kestrel
    relay): what each platform's first byte costs before any cache is in the way."""
    remote.create_bucket(Bucket="coldset")
    relay_app = start_minimal_app("ttfb-relay", remote=s3rver.url)
    # variant: (base URL, who signs its presigned URLs); the relays pass the remote's URL through
    targets = {"proxy": (proxy_a.url, pa), "direct": (s3rver.url, remote), "nginx": (f"http://127.0.0.1:{cache_port}", remote),
               "nginx relay": (f"http://127.0.0.1:{plain_relay_port}", remote), "minimal relay": (relay_app.url, remote)}
    warm_keys = [f"warmup/{i}" for i in range(20 if QUICK else 100)]
    for k in warm_keys:
        remote.put_object(Bucket="coldset", Key=k, Body=k.encode() * 1000)
    for k in warm_keys:
        for base, signer in targets.values():
            measure.ttfb_ms(base + presigned_path(signer, "coldset", k))
    cold = {}
    # 64 MiB: the target's "3 runs of 3", as CHUNKED_RUNS runs of three reads, one after another (report.py).
    for name, size, n in (("1m", MiB, 5 if QUICK else 15), ("64m", 64 * MiB, 3 * (1 if QUICK else CHUNKED_RUNS))):
        src = data / f"cold-{name}.bin"
        write_file(src, size, f"cold{name}")
        variants = list(targets) if name == "1m" else ["proxy", "direct", "nginx"]
        for variant in variants:
            for i in range(n):
                with open(src, "rb") as f:
                    remote.put_object(Bucket="coldset", Key=f"{variant}/{name}-{i}", Body=f)
        if name == "64m":
            # The small warm-up objects never take the chunked path: two other chunked objects
            # first, so the first measured read is not the one that compiles it (a fresh process's
            # first reads have a row of their own).
            for i in range(2):
                with open(src, "rb") as f:
                    remote.put_object(Bucket="coldset", Key=f"warmup-{name}/{i}", Body=f)
                for v in variants:
                    base, signer = targets[v]
                    measure.ttfb_ms(base + presigned_path(signer, "coldset", f"warmup-{name}/{i}"))
        row = {v: [] for v in variants}
        for i in range(n):  # interleaved, so drift on the machine hits all alike
            for v in variants:
                base, signer = targets[v]
                if name == "64m":
                    settle()
                row[v].append(measure.ttfb_ms(base + presigned_path(signer, "coldset", f"{v}/{name}-{i}")))
        if name == "1m":
            # The same over a kept-alive connection per server (each opened by a warm-up GET, so
            # no connection set-up is in the figure): what a client with a connection pool sees.
            conns = {v: measure.KeptAlive(base) for v, (base, _) in targets.items()}
            for v, c in conns.items():
                c.ttfb_ms(presigned_path(targets[v][1], "coldset", warm_keys[0]))
            for v in conns:
                for i in range(n):
                    remote.put_object(Bucket="coldset", Key=f"{v}-ka/{name}-{i}", Body=src.read_bytes())
            for i in range(n):
                for v, c in conns.items():
                    row.setdefault(f"{v} keep-alive", []).append(c.ttfb_ms(presigned_path(targets[v][1], "coldset", f"{v}-ka/{name}-{i}")))
            for c in conns.values():
                c.close()
        cold[name] = {v: {"ttfb_ms": measure.median([t[0] for t in xs]), "total_ms": measure.median([t[1] for t in xs]),
                          "ttfb_runs_ms": [t[0] for t in xs]}
                      for v, xs in row.items()}
        print(f"cold GET {name}: " + ", ".join(f"{k} ttfb {v['ttfb_ms']:.1f} ms total {v['total_ms']:.1f} ms" for k, v in cold[name].items()), flush=True)
    relay_app.stop()
    return cold



def sweep_section(remote, s3rver, nginx, cache_url, proxy_on, proxy_off, crc, relays):
    """The cold sweep (see cold.py): per run and set, fresh keys read once by every target in
    turn, so drift on the machine hits all alike; then the cache-off proxy reads them a second
    time and the SDK client reads the cache-on proxy's now local copies. The "1m-crc" set comes
    from the remote that offers a full-object checksum (`crc`: its server, nginx proxy_cache in
    front of it, and a proxy with its cache on and one with it off in front of it). The 1 MiB and
    4 KiB sets are also read through two plain relays (`relays`: name -> (url, pids)), nginx and
    the minimal ASP.NET Core app, which store and check nothing: what passing a body from one
    socket to another costs each platform, the part of every cold row that no floor file holds."""
    remote.create_bucket(Bucket="sweep")
    crc_remote = sending_crc64nvme(client(crc["remote"].url, PROXY_KEYS))
    crc_remote.create_bucket(Bucket="sweep")
    # "1m-c16": the 1 MiB sweep with 16 clients at once (the concurrent row of bench/README.md), through the
    # cache-on proxy, nginx proxy_cache and the remote itself.
    sizes = {"1m": MiB, "4k": 4096, "1m-crc": MiB, "1m-c16": MiB}
    batches = ["warmup"] + [f"run{r}" for r in range(SWEEP_RUNS)]
    count = {(b, n): (CRC_WARMUP if n == "1m-crc" else SWEEP_WARMUP) if b == "warmup" else SWEEP_OBJECTS for b in batches for n in sizes}
    keys = {(b, n): [f"{n}/{b}/obj-{i:04d}" for i in range(count[(b, n)])] for b in batches for n in sizes}

    def upload(item):
        (_, name), key = item
        body = key.encode().ljust(64, b".") + hashlib.sha256(key.encode()).digest() * (sizes[name] // 32)
        (crc_remote if name == "1m-crc" else remote).put_object(Bucket="sweep", Key=key, Body=body[: sizes[name]])

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(upload, [(bn, k) for bn, ks in keys.items() for k in ks]))

    pon, poff = client(proxy_on.url, PROXY_KEYS), client(proxy_off.url, PROXY_KEYS)
    targets = {
        "proxy cache on": (proxy_on.url, pon, [proxy_on.pid]),
        "proxy cache off": (proxy_off.url, poff, [proxy_off.pid]),
        "nginx proxy_cache": (cache_url, client(cache_url, ("S3RVER", "S3RVER")), sweeps.nginx_workers(nginx.pid)),
        "remote direct": (s3rver.url, remote, [s3rver.pid]),
        **{name: (url, client(url, ("S3RVER", "S3RVER")), pids) for name, (url, pids) in relays.items()},
    }
    crc_targets = {
        "proxy cache on": (crc["on"].url, client(crc["on"].url, PROXY_KEYS), [crc["on"].pid]),
        "proxy cache off": (crc["off"].url, client(crc["off"].url, PROXY_KEYS), [crc["off"].pid]),
        "nginx proxy_cache": (crc["nginx_url"], client(crc["nginx_url"], PROXY_KEYS), sweeps.nginx_workers(nginx.pid)),
        "remote direct": (crc["remote"].url, crc_remote, [crc["remote"].pid]),
        **{name: (url, client(url, PROXY_KEYS), pids) for name, (url, pids) in crc["relays"].items()},
    }
    out = {}
    for batch in batches:
        for name, size in sizes.items():
            ks = keys[(batch, name)]
            row = {}
            if name == "1m-c16":
                for target in ("proxy cache on", "nginx proxy_cache", "remote direct"):
                    base, signer, pids = targets[target]
                    row[target] = sweeps.concurrent_sweep(base, [presigned_path(signer, "sweep", k) for k in ks], pids, size)
            else:
                for target, (base, signer, pids) in (crc_targets if name == "1m-crc" else targets).items():
                    if target in relays and name not in ("1m", "4k", "1m-crc"):
                        continue
                    row[target] = sweeps.sweep(base, [presigned_path(signer, "sweep", k) for k in ks], pids, size)
            if name in ("1m", "4k"):
                row["proxy cache off, second read"] = sweeps.sweep(
                    proxy_off.url, [presigned_path(poff, "sweep", k) for k in ks], [proxy_off.pid], size)
            if name == "1m":
                row["proxy warm, SDK client"] = sweeps.sdk_sweep(pon, "sweep", ks, [proxy_on.pid], size)
            if batch != "warmup":
                for target, m in row.items():
                    out.setdefault(name, {}).setdefault(target, []).append(m)
                print(f"sweep {batch} {name}: " + ", ".join(
                    f"{t} {m['objects_per_s']:.0f}/s {m['cpu_ms_per_object']:.2f} ms (jit {m['jit_ms_per_object']:.2f})" for t, m in row.items()), flush=True)
        if batch != "warmup":
            out.setdefault("floor", []).append(sweeps.floor(WORK / "floor"))
            f = out["floor"][-1]
            print(f"floor {batch}: MD5 of 1 MiB {f['md5_ms']:.2f} ms, 1 MiB into a new file {f['new_file_write_ms']:.2f} ms, "
                  f"a small file flushed and renamed into a flushed folder {f['durable_small_file_ms']:.2f} ms", flush=True)
    return out


def seed(remote, bucket, keys):
    """1 MiB objects, each its own bytes (its key, then the key's hash repeated)."""
    for k in keys:
        remote.put_object(Bucket=bucket, Key=k, Body=k.encode().ljust(64, b".") + hashlib.sha256(k.encode()).digest() * (MiB // 32 - 2))


def fresh_section(remote, remote_url, data, runs=3, fills=100, store=None, steady=None, build=None, name="fresh"):
    """A fresh process's first fills (the fresh-process row of bench/README.md): `runs` new proxies in turn, cache on, each reading
    `fills` distinct 1 MiB objects from the remote over one keep-alive connection, as the sweep
    does; CPU per fill from its first request (start-up not counted). Each proxy has a new store of
    its own (a server started for one CI job), or with `store`, each is a restart of the sweep's
    cache-on proxy over the store it filled (a server restarted by a deploy: its folders and cache
    index are there, its JIT's work is not).

    With `steady` (a proxy of the same `build` over the same remote, past its warm-up), steady fills
    as many objects new to it right before and as many right after (cold.bracketed_sweep): the
    ratio is the fresh process's premium over its steady state in the same seconds. Without it, the
    report reads the figure against the sweep's cache-on median, taken minutes before: on 26 Nov a
    fresh proxy's own steady state moved from 12.3 to 7.3 ms a fill between two runs a minute
    apart, more than the premium the row is about."""
    bucket, prefix = ("sweep", "restarted/") if store else ("fresh", f"{name}/")
    keys = [[f"{prefix}run{r}/obj-{i:04d}" for i in range(fills)] for r in range(runs)]
    beside = [[f"{prefix}steady{r}/obj-{i:04d}" for i in range(2 * fills)] for r in range(runs)] if steady else []
    seed(remote, bucket, [k for ks in keys + beside for k in ks])
    out = []
    for r, ks in enumerate(keys):
        proxy = start_proxy(f"proxy-{name}{r}", store or data / f"proxy-{name}{r}", overlay_env(remote_url), build=build)
        try:
            paths = [presigned_path(client(proxy.url, PROXY_KEYS), bucket, k) for k in ks]
            if steady:
                beside_paths = [presigned_path(client(steady.url, PROXY_KEYS), bucket, k) for k in beside[r]]
                out.append(sweeps.bracketed_sweep((proxy.url, paths, [proxy.pid]), (steady.url, beside_paths, [steady.pid]), MiB))
            else:
                out.append(sweeps.sweep(proxy.url, paths, [proxy.pid], MiB))
        finally:
            proxy.stop()
        beside_note = f", the warm proxy before and after it {out[-1]['steady_cpu_ms_per_object']:.2f}" if steady else f", {out[-1]['objects_per_s']:.0f}/s"
        print(f"{name} process {r}: first {fills} fills {out[-1]['cpu_ms_per_object']:.2f} ms CPU per fill "
              f"(jit {out[-1]['jit_ms_per_object']:.2f}){beside_note}", flush=True)
    return out


def warmed_proxy(remote, remote_url, data, name, build, fills):
    """A proxy of `build` past its warm-up: `fills` cold 1 MiB fills of its own first."""
    keys = [f"{name}/warm-up/obj-{i:04d}" for i in range(fills)]
    seed(remote, "fresh", keys)
    proxy = start_proxy(f"proxy-{name}", data / f"proxy-{name}", overlay_env(remote_url), build=build)
    signer = client(proxy.url, PROXY_KEYS)
    sweeps.sweep(proxy.url, [presigned_path(signer, "fresh", k) for k in keys], [proxy.pid], MiB)
    return proxy


def measure_all(data, results):
    """Starts the servers and measures; main() stops them whatever happens."""
    # ---- servers ------------------------------------------------------------------
    s3rver = start_s3rver(data / "s3rver")
    remote = client(s3rver.url, ("S3RVER", "S3RVER"))
    # A remote that offers a full-object checksum (see remote_checksums.py): the proxy itself, no remote of its own.
    crc_remote = start_proxy("remote-crc", data / "remote-crc")
    static_port, relay_port, cache_port, crc_cache_port = free_port(), free_port(), free_port(), free_port()
    plain_relay_port, no_sendfile_port, crc_relay_port = free_port(), free_port(), free_port()
    s3port = s3rver.url.rsplit(":", 1)[1]
    crc_port = crc_remote.url.rsplit(":", 1)[1]
    def plain_relay(port, upstream):
        """nginx relaying to `upstream` unbuffered, storing and checking nothing (256 KiB buffers)."""
        return f"""  server {{ listen 127.0.0.1:{port};
location / {{ proxy_pass http://127.0.0.1:{upstream}; proxy_http_version 1.1; proxy_set_header Host $http_host;
             proxy_buffering off; proxy_buffer_size 256k; proxy_buffers 4 256k; proxy_busy_buffers_size 256k; proxy_request_buffering off; }} }}"""

    nginx = start_nginx("nginx", f"""
  server {{ listen 127.0.0.1:{static_port}; root {data}/proxy-a; location / {{ }} }}
  server {{ listen 127.0.0.1:{no_sendfile_port}; root {data}/proxy-a; sendfile off; location / {{ }} }}
{plain_relay(plain_relay_port, s3port)}
{plain_relay(crc_relay_port, crc_port)}
  server {{ listen 127.0.0.1:{relay_port};
access_log {WORK}/nginx/logs/relay.log relay;
location / {{ proxy_pass http://127.0.0.1:{s3port}; proxy_http_version 1.1; proxy_set_header Host $http_host;
             proxy_buffering off; proxy_request_buffering off; }} }}
  proxy_cache_path {data}/nginx-cache levels=1:2 keys_zone=s3:10m max_size=20g inactive=60m use_temp_path=off;
  server {{ listen 127.0.0.1:{cache_port};
location / {{ proxy_pass http://127.0.0.1:{s3port}; proxy_http_version 1.1; proxy_set_header Host $http_host;
             proxy_cache s3; proxy_cache_key $uri; proxy_cache_valid 200 60m; proxy_cache_lock on; }} }}
  proxy_cache_path {data}/nginx-cache-crc levels=1:2 keys_zone=crc:10m max_size=20g inactive=60m use_temp_path=off;
  server {{ listen 127.0.0.1:{crc_cache_port};
location / {{ proxy_pass http://127.0.0.1:{crc_port}; proxy_http_version 1.1; proxy_set_header Host $http_host;
             proxy_cache crc; proxy_cache_key $uri; proxy_cache_valid 200 60m; proxy_cache_lock on; }} }}
""")
    relay_log = WORK / "nginx" / "logs" / "relay.log"
    proxy_a = start_proxy("proxy-a", data / "proxy-a", overlay_env(s3rver.url))
    proxy_b = start_proxy("proxy-b", data / "proxy-b", overlay_env(f"http://127.0.0.1:{relay_port}"))
    wait_http(f"http://127.0.0.1:{static_port}/")
    pa = client(proxy_a.url, PROXY_KEYS)
    pb = client(proxy_b.url, PROXY_KEYS)
    # The cold sweep's own proxies: a fresh store each, cache on (stream + store) and off (stream through).
    proxy_on = start_proxy("proxy-on", data / "proxy-on", overlay_env(s3rver.url))
    proxy_off = start_proxy("proxy-off", data / "proxy-off", {**overlay_env(s3rver.url), "S3_OVERLAY_CACHE_ENABLED": "false"})
    # The plain relays in front of the checksum remote too: its answers come in other pieces than
    # s3rver's (Kestrel's 256 KiB writes), so what relaying them costs is measured on them.
    crc_relay_app = start_minimal_app("minimal-relay-crc", remote=crc_remote.url)
    crc = {"remote": crc_remote, "nginx_url": f"http://127.0.0.1:{crc_cache_port}",
           "relays": {"nginx relay": (f"http://127.0.0.1:{crc_relay_port}", sweeps.nginx_workers(nginx.pid)),
                      "minimal ASP.NET Core relay": (crc_relay_app.url, [crc_relay_app.pid])},
           "on": start_proxy("proxy-on-crc", data / "proxy-on-crc", overlay_env(crc_remote.url, PROXY_KEYS)),
           "off": start_proxy("proxy-off-crc", data / "proxy-off-crc", {**overlay_env(crc_remote.url, PROXY_KEYS), "S3_OVERLAY_CACHE_ENABLED": "false"})}
    relay_app = start_minimal_app("minimal-relay", remote=s3rver.url)
    relays = {"nginx relay": (f"http://127.0.0.1:{plain_relay_port}", sweeps.nginx_workers(nginx.pid)),
              "minimal ASP.NET Core relay": (relay_app.url, [relay_app.pid])}
    results["sweep"] = sweep_section(remote, s3rver, nginx, f"http://127.0.0.1:{cache_port}", proxy_on, proxy_off, crc, relays)
    # The sweep's proxies are done, but .NET's tier-up thread goes on compiling for seconds after
    # a long run of fills (measured: 0.7 s of CPU in the first 2 s), and the sweep left gigabytes
    # for the kernel to write back: both would take the cores from what is measured next.
    # The cache-on proxy stays, for the fresh processes' steady state (fresh_section): the pause is
    # for its tier-up thread.
    for done in (proxy_off, crc["on"], crc["off"], crc_remote, relay_app, crc_relay_app):
        done.stop()
    os.sync()
    time.sleep(2)
    remote.create_bucket(Bucket="fresh")  # the fresh processes' objects, and the AOT warm-up's
    results["fresh"] = fresh_section(remote, s3rver.url, data, runs=2 if QUICK else 3, steady=proxy_on)
    proxy_on.stop()
    results["restarted"] = fresh_section(remote, s3rver.url, data, runs=2 if QUICK else 3, store=data / "proxy-on", name="restarted")
    # The Native AOT build (bench/run.sh publishes it beside the ReadyToRun one): nothing compiled
    # while it runs, so its first fills are the measure of what is left of the premium without a JIT.
    if AOT_PROXY.exists():
        steady = warmed_proxy(remote, s3rver.url, data, "aot-steady", AOT_PROXY, 200 if QUICK else 1000)
        try:
            results["fresh-aot"] = fresh_section(remote, s3rver.url, data, runs=2 if QUICK else 3, steady=steady, build=AOT_PROXY, name="fresh-aot")
        finally:
            steady.stop()
    # The sweep's stores and copies (about 10 GB) are not read again: gone before the sections that
    # write gigabytes of their own, so a run needs less free disk than all of it at once (a run
    # on 26 Nov filled the disk there). s3rver keeps a bucket as a folder of files.
    # nginx keeps running: its cache folders stay, emptied (a file gone is a miss to it).
    done = [data / d for d in ("proxy-on", "proxy-off", "proxy-on-crc", "proxy-off-crc", "remote-crc", "s3rver/sweep", "s3rver/fresh")]
    done += [data / f"proxy-{name}{r}" for name in ("fresh", "fresh-aot") for r in range(3)] + [data / "proxy-aot-steady"] + [p for c in ("nginx-cache", "nginx-cache-crc") for p in (data / c).glob("*")]
    for folder in done:
        shutil.rmtree(folder, ignore_errors=True)
    if COLD_ONLY:
        results["cold"] = cold_ttfb_section(data, remote, s3rver, proxy_a, pa, cache_port, plain_relay_port)
        return

    # ---- warm GET: the same files served by the proxy's store, nginx and s3rver ----
    remote.create_bucket(Bucket="bench")
    sets = {"4k": (4096, 200), "1m": (MiB, 64)}
    for name, (size, count) in sets.items():
        for i in range(count):
            key = f"{name}/obj-{i:04d}"
            path = data / "proxy-a" / "bench" / key  # an existing folder served as a bucket
            write_file(path, size, f"{name}{i}")
            with open(path, "rb") as f:
                remote.put_object(Bucket="bench", Key=key, Body=f)
    aspnet = start_minimal_app("minimal-app", data / "proxy-a")
    warm = {}
    for name, (size, count) in sets.items():
        keys = [f"{name}/obj-{i:04d}" for i in range(count)]
        proxy_paths = [presigned_path(pa, "bench", k) for k in keys]
        for p in proxy_paths:  # first touch: the store learns the plain files (ETag sidecars)
            urllib.request.urlopen(proxy_a.url + p).read()
        targets = {
            "proxy": (proxy_a.url, proxy_paths, [proxy_a.pid]),
            "nginx": (f"http://127.0.0.1:{static_port}", [f"/bench/{k}" for k in keys], sweeps.nginx_workers(nginx.pid)),
            # nginx made to copy as Kestrel must (read into memory, then write to the socket): what sendfile buys it.
            "nginx, sendfile off": (f"http://127.0.0.1:{no_sendfile_port}", [f"/bench/{k}" for k in keys], sweeps.nginx_workers(nginx.pid)),
            "minimal ASP.NET Core app": (aspnet.url, [f"/bench/{k}" for k in keys], [aspnet.pid]),
            "s3rver": (s3rver.url, [presigned_path(remote, "bench", k) for k in keys], [s3rver.pid]),
        }
        # Every server is loaded unmeasured until its throughput stops rising (measure.warm_up):
        # steady state, not the JIT compiling the proxy's (or node's) hot paths, is what a warm GET means.
        # Then WARM_ROUNDS rounds, the servers in turn within each, so drift hits all alike.
        warm[name] = {server: {"warm_up_s": measure.warm_up(base, paths), "runs": []} for server, (base, paths, _) in targets.items()}
        for _ in range(WARM_ROUNDS):
            for server, (base, paths, pids) in targets.items():
                cpu0 = sweeps.cpu_seconds(pids)
                m = measure.wrk(base, paths, seconds=SECONDS)
                m["cpu_us_per_request"] = (sweeps.cpu_seconds(pids) - cpu0) * 1e6 / (m["rps"] * SECONDS)
                warm[name][server]["runs"].append(m)
        for server, w in warm[name].items():  # the medians, as the tables read them
            w.update({k: measure.median([m[k] for m in w["runs"]]) for k in ("rps", "mbs", "p50_ms", "p99_ms", "cpu_us_per_request")})
        print(f"warm GET {name}: " + ", ".join(f"{k} {v['rps']:.0f} req/s {v['mbs']:.0f} MB/s {v['cpu_us_per_request']:.0f} µs CPU "
                                               f"(after {v['warm_up_s']} s of warm-up)" for k, v in warm[name].items()), flush=True)
    results["warm"] = warm

    results["cold"] = cold_ttfb_section(data, remote, s3rver, proxy_a, pa, cache_port, plain_relay_port)

    # ---- a 1 MiB range inside a 1 GiB remote object: remote bytes ----
    big = data / "big-1g.bin"
    write_file(big, 1024 * MiB, "big")
    remote.create_bucket(Bucket="ranges")
    with open(big, "rb") as f:
        remote.put_object(Bucket="ranges", Key="one-gib.bin", Body=f)
    rng = {}
    for attempt in ("cold", "repeat"):
        mark = relay_log.stat().st_size
        start = 512 * MiB + 12345
        t0 = time.perf_counter()
        ttfb, total = measure.ttfb_ms(proxy_b.url + presigned_path(pb, "ranges", "one-gib.bin"),
                                     {"Range": f"bytes={start}-{start + MiB - 1}"})
        # nginx logs a relayed request when it completes: a chunk fill goes on after the client
        # has its 1 MiB, so wait until the log stops growing before counting this read's requests.
        settled, size = 0, -1
        for _ in range(60):
            time.sleep(0.5)
            settled, size = (settled + 1, size) if relay_log.stat().st_size == size else (0, relay_log.stat().st_size)
            if settled >= 2:
                break
        lines = relay_lines(relay_log, mark)
        body = sum(int(x[3]) for x in lines if x[0] == "GET" and x[3].isdigit())
        rng[attempt] = {"latency_ms": total, "remote_requests": len(lines), "remote_body_bytes": body}
        print(f"range {attempt}: {total:.1f} ms, {len(lines)} remote requests, {body} remote body bytes", flush=True)
    results["range"] = rng

    # ---- 64 concurrent cold GETs of one key: remote GETs ----
    coal = data / "coalesce-20m.bin"
    write_file(coal, 20 * MiB, "coal")
    with open(coal, "rb") as f:
        remote.put_object(Bucket="ranges", Key="coalesce.bin", Body=f)
    expect = hashlib.md5(coal.read_bytes()).hexdigest()
    url = proxy_b.url + presigned_path(pb, "ranges", "coalesce.bin")
    mark = relay_log.stat().st_size

    def fetch(_):
        return hashlib.md5(urllib.request.urlopen(url, timeout=120).read()).hexdigest()

    with concurrent.futures.ThreadPoolExecutor(64) as pool:
        digests = list(pool.map(fetch, range(64)))
    gets = [x for x in relay_lines(relay_log, mark) if x[0] == "GET"]
    results["coalesce"] = {"clients": 64, "remote_gets": len(gets), "bodies_correct": sum(d == expect for d in digests)}
    print(f"coalesce: {len(gets)} remote GETs for 64 clients, {results['coalesce']['bodies_correct']} correct bodies", flush=True)

    # ---- peak RSS serving a 2 GiB object, cold then warm (a fresh process each) ----
    huge = data / "huge-2g.bin"
    write_file(huge, 2048 * MiB, "huge")
    with open(huge, "rb") as f:
        remote.put_object(Bucket="ranges", Key="two-gib.bin", Body=f)
    huge.unlink()
    rss = {}
    for attempt in ("cold", "warm"):
        proxy_c = start_proxy("proxy-c", data / "proxy-c", overlay_env(s3rver.url))
        pc = client(proxy_c.url, PROXY_KEYS)
        idle = proxy_c.peak_rss_mib()
        _, total = measure.ttfb_ms(proxy_c.url + presigned_path(pc, "ranges", "two-gib.bin"))
        rss[attempt] = {"peak_rss_mib": proxy_c.peak_rss_mib(), "idle_rss_mib": idle, "mbs": 2048 * MiB / (total / 1000) / 1e6}
        proxy_c.stop()
        print(f"2 GiB {attempt}: peak RSS {rss[attempt]['peak_rss_mib']:.0f} MiB (idle {idle:.0f}), {rss[attempt]['mbs']:.0f} MB/s", flush=True)
    results["rss"] = rss

    # ---- PUT throughput: 64 MiB and 4 KiB, proxy vs s3rver ----
    pa.create_bucket(Bucket="puts")
    remote.create_bucket(Bucket="puts")
    put64 = data / "put-64m.bin"
    write_file(put64, 64 * MiB, "put")
    small = data / "put-4k.bin"
    write_file(small, 4096, "small")
    put = {
        "64m": {"proxy": measure.put_file_mbs(proxy_a.url + presigned_path(pa, "puts", "p64", "put_object"), put64, 64 * MiB),
                "s3rver": measure.put_file_mbs(s3rver.url + presigned_path(remote, "puts", "p64", "put_object"), put64, 64 * MiB)},
        "4k": {"proxy": measure.wrk(proxy_a.url, put_path=presigned_path(pa, "puts", "p4k", "put_object"), put_body=small, seconds=SECONDS),
               "s3rver": measure.wrk(s3rver.url, put_path=presigned_path(remote, "puts", "p4k", "put_object"), put_body=small, seconds=SECONDS)},
    }
    print(f"PUT 64 MiB: proxy {put['64m']['proxy']:.0f} MB/s, s3rver {put['64m']['s3rver']:.0f} MB/s; "
          f"PUT 4 KiB: proxy {put['4k']['proxy']['rps']:.0f} req/s, s3rver {put['4k']['s3rver']['rps']:.0f} req/s", flush=True)
    results["put"] = put


def main():
    shutil.rmtree(WORK / "data", ignore_errors=True)
    data = WORK / "data"
    results = {"quick": QUICK, "cold_only": COLD_ONLY, "shared": SHARED, "started": time.strftime("%Y-%m-%d %H:%M:%S"),
               "load_average": [load_average()]}
    try:
        measure_all(data, results)
    finally:
        stop_all()
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    results["load_average"].append(load_average())
    report.write(results)
    shutil.rmtree(WORK / "data", ignore_errors=True)


if __name__ == "__main__":
    main()
