"""Range readers: what seeking readers cost the remote and how long they wait for a
first byte, cold and then warm, with the proxy's chunks at 1, 4 and 16 MiB (a proxy each). See
"Range readers" in bench/README.md.

    bench/run.sh --ranges                  this tree's proxy, published in Release first
    python3 bench/ranges.py --proxy DIR    a published build (the folder holding S3Overlay.Proxy.dll)
    python3 bench/ranges.py --project DIR  a proxy project folder, published in Release first
    --out NAME   results in bench/results/NAME.json and .md (default: ranges; the README's table is
                 rewritten only for this tree's own build under the default name)
    --chunks 1,4,16 (MiB)    --no-gdal (skip the real GDAL read even if gdal_translate is there)
    --gdal-only (only the real GDAL read: no seeks, tiles or crowd)    --cog-pixels 8192 (the COG's
                 width and height; its window scales with it: 4096 makes a 21 MiB COG, a smoke run)
"""
import argparse
import concurrent.futures
import hashlib
import http.client
import os
import pathlib
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

import servers
from bench import MiB, PROXY_KEYS, client, presigned_path, write_file
from relay import Delivered, Relay, covers, parse_range
from servers import ROOT, WORK, overlay_env, start_proxy, start_s3rver, stop_all

KiB = 1024
SEED = 37  # every offset below comes from random.Random(SEED): the same reads for every build
BUCKET = "ranges"
OBJECTS = {  # key: size
    "seek-200m.bin": 200 * MiB,  # 30 open-ended seeks
    "window-96m.bin": 96 * MiB,  # a header and 8 tiles
    "crowd-64m.bin": 64 * MiB,  # 60 concurrent whole GETs
    "warmup-40m.bin": 40 * MiB,  # the proxy's first chunked reads, not measured
}
SEEKS, SEEK_READ = 30, 64 * KiB
HEADER, TILES, TILE = 16 * KiB, 8, 256 * KiB
CROWD = 60
COG_PIXELS, COG_BLOCK, COG_WINDOW = 8192, 512, (3000, 3000, 1500, 1500)  # 1 band of bytes: 256 KiB tiles


def scale_cog(pixels):
    """--cog-pixels: another width and height for the COG, its window scaled to match."""
    global COG_PIXELS, COG_WINDOW
    COG_WINDOW = tuple(v * pixels // COG_PIXELS for v in COG_WINDOW)
    COG_PIXELS = pixels


def p90(xs):
    return statistics.quantiles(xs, n=10, method="inclusive")[8] if len(xs) > 1 else xs[0]


def local_bytes(path, offset, length):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length)


def _read_exactly(resp, n):
    out = bytearray()
    while len(out) < n:
        piece = resp.read(min(n - len(out), 256 * KiB))
        if not piece:
            break
        out += piece
    return bytes(out)


def _connection(base):
    u = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=300)


def open_ended_read(base, path, offset, length):
    """As smart_open and HTTP range readers seek: a new connection, `Range: bytes=offset-`,
    `length` bytes read, the connection closed with the rest unread. Returns (ms to the first
    body byte, counted from the connect, the bytes)."""
    conn = _connection(base)
    t0 = time.perf_counter()
    try:
        conn.request("GET", path, headers={"Range": f"bytes={offset}-"})
        resp = conn.getresponse()
        first = resp.read(1)
        ttfb = (time.perf_counter() - t0) * 1000
        if resp.status != 206:
            raise RuntimeError(f"Range bytes={offset}- answered {resp.status}")
        return ttfb, first + _read_exactly(resp, length - 1)
    finally:
        conn.close()


def closed_read(conn, path, offset, length):
    """As GDAL reads a tile: `Range: bytes=a-b` on a kept-alive connection, read to the end."""
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"Range": f"bytes={offset}-{offset + length - 1}"})
    resp = conn.getresponse()
    first = resp.read(1)
    ttfb = (time.perf_counter() - t0) * 1000
    body = first + resp.read()
    if resp.status != 206:
        raise RuntimeError(f"Range bytes={offset}-{offset + length - 1} answered {resp.status}")
    return ttfb, body


def whole_get(base, path, start):
    """One of the crowd: waits for the others, GETs the whole object, hashes it as it comes."""
    conn = _connection(base)
    try:
        start.wait()
        t0 = time.perf_counter()
        conn.request("GET", path)
        resp = conn.getresponse()
        md5, n = hashlib.md5(), 0
        first = resp.read(1)
        ttfb = (time.perf_counter() - t0) * 1000
        while first:
            md5.update(first)
            n += len(first)
            first = resp.read(MiB)
        return {"status": resp.status, "ttfb_ms": ttfb, "total_ms": (time.perf_counter() - t0) * 1000,
                "bytes": n, "md5": md5.hexdigest()}
    finally:
        conn.close()


def remote_totals(requests):
    gets = [r for r in requests if r["method"] == "GET"]
    return {"remote_requests": len(requests), "remote_gets": len(gets),
            "remote_heads": sum(r["method"] == "HEAD" for r in requests),
            "remote_body_bytes": sum(r["sent"] for r in gets),  # what the relay passed on
            "remote_asked_bytes": sum(r["declared"] for r in gets)}  # the Content-Lengths announced


class Session:
    """One proxy (one chunk size) reading through the remote relay, with what it has been sent."""

    def __init__(self, proxy, relay, chunk, paths, sources):
        self.proxy, self.relay, self.chunk, self.paths, self.sources = proxy, relay, chunk, paths, sources
        self.delivered = Delivered()

    def span_of(self, size, i):
        return i * self.chunk, min((i + 1) * self.chunk, size)

    def span(self, key, i):
        return self.span_of(OBJECTS[key], i)

    def counted(self, key, offset, length, read):
        """One read, then the relay settled: its remote requests, and what the goals allow it."""
        uri, size = f"/{BUCKET}/{key}", OBJECTS[key]
        reached = list(range(offset // self.chunk, (offset + length - 1) // self.chunk + 1))
        new = [i for i in reached if not self.delivered.has(uri, *self.span(key, i))]
        ahead = reached[-1] + 1
        bound = sum(self.span(key, i)[1] - self.span(key, i)[0] for i in new)
        bound += self.span(key, ahead)[1] - self.span(key, ahead)[0] if ahead * self.chunk < size else 0
        mark = self.relay.mark()
        ttfb, body = read()
        settled = self.relay.settle()
        requests = self.relay.since(mark)
        self.delivered.add(requests)
        return {"offset": offset, "length": length, "ttfb_ms": ttfb,
                "correct": body == local_bytes(self.sources[key], offset, length),
                "chunks": [reached[0], reached[-1]], "new_chunks": len(new), "first_chunk_fetched_before": reached[0] not in new,
                "first_byte_asked_remote": any(covers(r, offset) for r in requests), "bound_bytes": bound,
                "settled": settled, **remote_totals(requests),
                "remote": [f"{r['method']} {r['status']} {r['range'] or 'whole'} sent {r['sent']}" for r in requests]}

    def seeks(self, offsets):
        path = self.paths["seek-200m.bin"]
        return [self.counted("seek-200m.bin", o, SEEK_READ,
                             lambda o=o: open_ended_read(self.proxy.url, path, o, SEEK_READ)) for o in offsets]

    def window(self, reads):
        path, conn = self.paths["window-96m.bin"], _connection(self.proxy.url)
        try:
            return [self.counted("window-96m.bin", o, n, lambda o=o, n=n: closed_read(conn, path, o, n)) for o, n in reads]
        finally:
            conn.close()

    def crowd(self):
        key, size = "crowd-64m.bin", OBJECTS["crowd-64m.bin"]
        expect = hashlib.md5(open(self.sources[key], "rb").read()).hexdigest()
        start = threading.Barrier(CROWD)
        mark = self.relay.mark()
        t0 = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(CROWD) as pool:
            got = list(pool.map(lambda _: whole_get(self.proxy.url, self.paths[key], start), range(CROWD)))
        seconds = time.perf_counter() - t0
        settled = self.relay.settle()
        requests = self.relay.since(mark)
        self.delivered.add(requests)
        totals = remote_totals(requests)
        ttfbs = [g["ttfb_ms"] for g in got]
        return {"readers": CROWD, "object_bytes": size, "chunks": -(-size // self.chunk), "seconds": seconds,
                "bodies_correct": sum(g["status"] == 200 and g["md5"] == expect for g in got),
                "ttfb_median_ms": statistics.median(ttfbs), "ttfb_p90_ms": p90(ttfbs),
                "remote_over_object": totals["remote_body_bytes"] / size, "settled": settled, **totals,
                "remote": [f"{r['method']} {r['status']} {r['range'] or 'whole'} sent {r['sent']}" for r in requests]}

    def warm_up(self):
        """The proxy's first chunked reads (open-ended, closed, whole, concurrent) on an object of
        its own, not measured: the figures are a running server's, not the JIT compiling the path."""
        key = "warmup-40m.bin"
        path, size = self.paths[key], OBJECTS[key]
        rnd = random.Random(SEED + 1)
        for _ in range(4):
            open_ended_read(self.proxy.url, path, rnd.randrange(size - SEEK_READ), SEEK_READ)
        conn = _connection(self.proxy.url)
        for _ in range(4):
            closed_read(conn, path, rnd.randrange(size - TILE), TILE)
        conn.close()
        start = threading.Barrier(4)
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: whole_get(self.proxy.url, path, start), range(4)))
        self.relay.settle()


def run_summary(reads, warm):
    """Totals of one run of reads and the goals: a read whose first chunk the remote has sent
    before asks the remote nothing for its first byte; cold, each read costs at most the chunks it
    reached that were not sent before plus one chunk read ahead; warm, the repeat costs 0."""
    ttfbs = [r["ttfb_ms"] for r in reads]
    totals = {k: sum(r[k] for r in reads) for k in ("remote_requests", "remote_gets", "remote_heads",
                                                       "remote_body_bytes", "remote_asked_bytes", "bound_bytes")}
    client_bytes = sum(r["length"] for r in reads)
    had = [r for r in reads if r["first_chunk_fetched_before"]]
    new = [r["ttfb_ms"] for r in reads if not r["first_chunk_fetched_before"]]
    return {"reads": len(reads), "correct": sum(r["correct"] for r in reads), "client_bytes": client_bytes,
            "remote_over_read": totals["remote_body_bytes"] / client_bytes, **totals,
            "ttfb_median_ms": statistics.median(ttfbs), "ttfb_p90_ms": p90(ttfbs),
            "ttfb_first_chunk_new_median_ms": statistics.median(new) if new else None,
            "ttfb_first_chunk_fetched_before_median_ms": statistics.median([r["ttfb_ms"] for r in had]) if had else None,
            "first_chunk_fetched_before": len(had), "of_which_first_byte_asked_remote": sum(r["first_byte_asked_remote"] for r in had),
            "reads_over_bound": sum(r["remote_body_bytes"] > r["bound_bytes"] for r in reads),
            "warm": warm, "all_settled": all(r["settled"] for r in reads), "per_read": reads}


# ---- a real cloud-optimized GeoTIFF read by GDAL through /vsis3/ ----------------------------

def make_cog(data):
    """8192 × 8192 random bytes, 1 band, 512 × 512 tiles (256 KiB each), uncompressed, with the
    overviews gdal_translate -of COG makes by default."""
    raw = data / "cog-src.raw"
    rnd = random.Random(SEED)
    with open(raw, "wb") as f:
        for _ in range(COG_PIXELS * COG_PIXELS // MiB):
            f.write(rnd.randbytes(MiB))
    (data / "cog-src.hdr").write_text(f"ENVI\nsamples = {COG_PIXELS}\nlines = {COG_PIXELS}\nbands = 1\n"
                                      "header offset = 0\ndata type = 1\ninterleave = bsq\nbyte order = 0\n")
    cog = data / "cog.tif"
    subprocess.run(["gdal_translate", "-q", "-of", "COG", "-co", f"BLOCKSIZE={COG_BLOCK}", "-co", "COMPRESS=NONE",
                    str(raw), str(cog)], check=True)
    raw.unlink()
    return cog


def gdal_window(source, out, env=None):
    """gdal_translate -srcwin of COG_WINDOW into a GeoTIFF; returns (ms, its bytes)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    subprocess.run(["gdal_translate", "-q", "-of", "GTiff", "-srcwin", *map(str, COG_WINDOW), source, str(out)],
                   check=True, env={**os.environ, "GDAL_PAM_ENABLED": "NO", **(env or {})})
    ms = (time.perf_counter() - t0) * 1000
    return ms, out.read_bytes()


def gdal_session(session, cog_key, cog_size, reference, data, label):
    """A relay in front of the proxy logs what GDAL asks for (its ranges and the time to the
    proxy's response header); the remote relay what that cost."""
    front = Relay(f"nginx-ranges-front-{label}", session.proxy.url)
    env = {"AWS_S3_ENDPOINT": f"127.0.0.1:{front.port}", "AWS_HTTPS": "NO", "AWS_VIRTUAL_HOSTING": "FALSE",
           "AWS_ACCESS_KEY_ID": PROXY_KEYS[0], "AWS_SECRET_ACCESS_KEY": PROXY_KEYS[1], "AWS_REGION": "us-east-1",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
           "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR", "NO_PROXY": "127.0.0.1"}
    uri = f"/{BUCKET}/{cog_key}"
    out = {}
    try:
        for run in ("cold", "warm"):
            before = Delivered()
            before.spans = {k: list(v) for k, v in session.delivered.spans.items()}
            mark, front_mark = session.relay.mark(), front.mark()
            ms, pixels = gdal_window(f"/vsis3/{BUCKET}/{cog_key}", data / "gdal-out" / f"{label}-{run}.tif", env)
            settled = front.settle() and session.relay.settle()
            requests, asked = session.relay.since(mark), front.since(front_mark)
            session.delivered.add(requests)
            gets = [a for a in asked if a["method"] == "GET"]
            reached, bound, first_had, first_asked = set(), 0, 0, 0
            for a in gets:
                lo, hi = parse_range(a["range"]) or (0, cog_size - 1)
                hi = cog_size - 1 if hi is None else hi
                for i in range(lo // session.chunk, hi // session.chunk + 1):
                    span = session.span_of(cog_size, i)
                    if i not in reached and not before.has(uri, *span):
                        bound += span[1] - span[0]
                    reached.add(i)
                ahead = session.span_of(cog_size, hi // session.chunk + 1)
                bound += ahead[1] - ahead[0]
                if before.has(uri, *session.span_of(cog_size, lo // session.chunk)):
                    first_had += 1
                    first_asked += any(covers(r, lo) for r in requests)
            headers = [a["header_seconds"] * 1000 for a in gets if a["header_seconds"] is not None]
            client_bytes = sum(a["sent"] for a in gets)
            totals = remote_totals(requests)
            out[run] = {"gdal_ms": ms, "correct": pixels == reference, "client_requests": len(asked),
                        "client_gets": len(gets), "client_bytes": client_bytes,
                        "client_ranges": [f"{a['method']} {a['range'] or 'whole'}" for a in asked],
                        "remote_over_read": totals["remote_body_bytes"] / client_bytes if client_bytes else float("nan"),
                        "ttfb_median_ms": statistics.median(headers) if headers else float("nan"),
                        "ttfb_p90_ms": p90(headers) if headers else float("nan"), "bound_bytes": bound,
                        "first_chunk_fetched_before": first_had, "of_which_first_byte_asked_remote": first_asked,
                        "reads_over_bound": int(totals["remote_body_bytes"] > bound), "reads": len(gets),
                        "warm": run == "warm", "all_settled": settled, **totals,
                        "remote": [f"{r['method']} {r['status']} {r['range'] or 'whole'} sent {r['sent']}" for r in requests]}
    finally:
        front.stop()
    return out


# ---- the run --------------------------------------------------------------------------------

def proxy_build(args):
    """Which proxy: --proxy, --project (published here first), or bench/run.sh's publish of this
    tree; and the commit it was built from (the SDK stamps it into the assembly's version)."""
    if args.project:
        folder = WORK / ("proxy-" + re.sub(r"[^A-Za-z0-9]+", "-", os.path.abspath(args.project)).strip("-"))
        subprocess.run(["dotnet", "publish", args.project, "-c", "Release", "--use-current-runtime", "--self-contained", "false",
                        "-o", str(folder), "-v", "quiet", "-nologo"], check=True)
        servers.PROXY = folder
    elif args.proxy:
        servers.PROXY = pathlib.Path(args.proxy).resolve()
    dll = servers.PROXY / "S3Overlay.Proxy.dll"
    if not dll.exists():
        raise SystemExit(f"no {dll}: run bench/run.sh --ranges, or name a build with --proxy or --project")
    stamp = re.search(rb"\d+\.\d+\.\d+[-A-Za-z0-9.]*\+([0-9a-f]{7,40})", dll.read_bytes())
    # the build's folder as the repository names it (bench/work/proxy), never a developer's own path
    shown = servers.PROXY.relative_to(ROOT) if servers.PROXY.is_relative_to(ROOT) else servers.PROXY.name
    build = {"proxy": str(shown), "commit": stamp.group(1).decode() if stamp else None,
             "built": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(dll.stat().st_mtime))}
    if not args.proxy and not args.project:  # this tree: the last commit that changed anything but the bench
        git = ["git", "-C", str(ROOT)]
        outside = ["--", ".", ":(exclude)bench"]
        build["sources"] = subprocess.run(git + ["log", "-1", "--format=%H", *outside], capture_output=True, text=True).stdout.strip()
        build["uncommitted"] = bool(subprocess.run(git + ["status", "--porcelain", *outside], capture_output=True, text=True).stdout.strip())
    return build


def measure(args, results):
    data = WORK / "data-ranges"
    shutil.rmtree(data, ignore_errors=True)
    s3rver = start_s3rver(data / "s3rver")
    remote = client(s3rver.url, ("S3RVER", "S3RVER"))
    remote.create_bucket(Bucket=BUCKET)
    sources = {}
    objects = {"warmup-40m.bin": OBJECTS["warmup-40m.bin"]} if args.gdal_only else OBJECTS
    for key, size in objects.items():
        sources[key] = data / "sources" / key
        write_file(sources[key], size, key)
        with open(sources[key], "rb") as f:
            remote.put_object(Bucket=BUCKET, Key=key, Body=f)
    cog = None
    if args.gdal_only and not shutil.which("gdal_translate"):
        raise SystemExit("--gdal-only: gdal_translate is not installed (apt-get install gdal-bin)")
    if not (args.no_gdal or args.crowd_only) and shutil.which("gdal_translate"):
        cog = make_cog(data / "sources")
        with open(cog, "rb") as f:
            remote.put_object(Bucket=BUCKET, Key="cog.tif", Body=f)
        _, reference = gdal_window(str(cog), data / "gdal-out" / "reference.tif")
        results["cog"] = {"bytes": cog.stat().st_size, "pixels": COG_PIXELS, "block": COG_BLOCK, "window": COG_WINDOW}
    else:
        results["cog"] = None
        print("gdal_translate not used: the synthetic window read stands for GDAL", flush=True)

    rnd = random.Random(SEED)
    seek_offsets = [rnd.randrange(OBJECTS["seek-200m.bin"] - SEEK_READ) for _ in range(SEEKS)]
    window_reads = [(0, HEADER)] + [(rnd.randrange(HEADER, OBJECTS["window-96m.bin"] - TILE), TILE) for _ in range(TILES)]
    results["seek_offsets"], results["window_reads"] = seek_offsets, window_reads

    relay = Relay("nginx-ranges", s3rver.url)
    for chunk_mib in args.chunks:
        chunk = chunk_mib * MiB
        label = f"{chunk_mib}m"
        proxy = start_proxy(f"ranges-{label}", data / f"proxy-{label}", {
            **overlay_env(relay.url), "S3_OVERLAY_CHUNK_SIZE": str(chunk), "S3_OVERLAY_CHUNK_THRESHOLD": str(chunk)})
        try:
            signer = client(proxy.url, PROXY_KEYS)
            paths = {k: presigned_path(signer, BUCKET, k) for k in objects}
            session = Session(proxy, relay, chunk, paths, sources)
            session.warm_up()
            r = results["chunks"][label] = {"chunk_bytes": chunk}
            for run in ("cold", "warm") if not (args.gdal_only or args.crowd_only) else ():
                r.setdefault("seeks", {})[run] = run_summary(session.seeks(seek_offsets), run == "warm")
                print(f"{label} seeks {run}: " + line(r["seeks"][run]), flush=True)
            for run in ("cold", "warm") if not (args.gdal_only or args.crowd_only) else ():
                r.setdefault("window", {})[run] = run_summary(session.window(window_reads), run == "warm")
                print(f"{label} window {run}: " + line(r["window"][run]), flush=True)
            if not args.gdal_only:
                r["crowd"] = session.crowd()
                c = r["crowd"]
                print(f"{label} crowd: {c['remote_gets']} remote GETs for {c['chunks']} chunks, {c['remote_over_object']:.2f} × the object, "
                      f"{c['bodies_correct']}/{c['readers']} bodies correct, first byte {c['ttfb_median_ms']:.0f} ms", flush=True)
            if cog is not None:
                r["gdal"] = gdal_session(session, "cog.tif", cog.stat().st_size, reference, data, label)
                for run, g in r["gdal"].items():
                    print(f"{label} gdal {run}: {g['client_gets']} GETs of GDAL, " + line(g), flush=True)
            r["peak_rss_mib"] = proxy.peak_rss_mib()
        finally:
            proxy.stop()
            shutil.rmtree(data / f"proxy-{label}", ignore_errors=True)


def line(s):
    return (f"{s['remote_gets']} remote GETs {s['remote_heads']} HEADs, {s['remote_body_bytes'] / MiB:.2f} MiB remote "
            f"(asked {s['remote_asked_bytes'] / MiB:.1f}) for {s['client_bytes'] / MiB:.2f} MiB read = {s['remote_over_read']:.1f} ×, "
            f"first byte {s['ttfb_median_ms']:.1f} / p90 {s['ttfb_p90_ms']:.1f} ms, correct {s['correct']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--proxy", help="a published proxy build (folder of S3Overlay.Proxy.dll)")
    parser.add_argument("--project", help="a proxy project folder, published in Release first")
    parser.add_argument("--out", default="ranges", help="results file name in bench/results/")
    parser.add_argument("--chunks", default="1,4,16", help="chunk sizes in MiB")
    parser.add_argument("--no-gdal", action="store_true", help="skip the real GDAL read")
    parser.add_argument("--gdal-only", action="store_true", help="only the real GDAL read (seeks, tiles and crowd skipped)")
    parser.add_argument("--crowd-only", action="store_true", help="only the concurrent cold readers (seeks, tiles and GDAL skipped)")
    parser.add_argument("--cog-pixels", type=int, default=COG_PIXELS, help="the COG's width and height (its window scales)")
    args = parser.parse_args()
    if args.gdal_only and args.no_gdal:
        parser.error("--gdal-only and --no-gdal exclude each other")
    if args.gdal_only and args.crowd_only:
        parser.error("--gdal-only and --crowd-only exclude each other")
    scale_cog(args.cog_pixels)
    args.chunks = [int(c) for c in args.chunks.split(",")]
    WORK.mkdir(parents=True, exist_ok=True)
    own = not args.proxy and not args.project
    results = {"build": proxy_build(args), "started": time.strftime("%Y-%m-%d %H:%M:%S"), "chunks": {},
               "command": " ".join(["bench/run.sh --ranges" if os.environ.get("BENCH_RANGES_RUN_SH") else "python3 bench/ranges.py",
                                    *sys.argv[1:]])}
    try:
        measure(args, results)
    finally:
        stop_all()
        shutil.rmtree(WORK / "data-ranges", ignore_errors=True)
    results["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    import ranges_report
    ranges_report.write(results, args.out, update_readme=own and args.out == "ranges")


if __name__ == "__main__":
    main()
