"""The cold sweep: many distinct objects filled from the remote one after another, as an overlay's
first day looks. Throughput (objects/s) and server CPU per object (utime + stime from /proc, after
a JIT warm-up), for the proxy with its cache on and off, nginx proxy_cache in front of the same
remote, and the remote read directly; repeated so the spread is visible.

CPU per object is the figure to trust on a busy machine: throughput falls when another process
takes the core, the CPU a request costs barely moves.
"""
import http.client
import os
import time
import urllib.parse

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _ticks(stat_path, count):
    """The first `count` of utime, stime, cutime, cstime in a /proc stat file, summed, in clock ticks."""
    fields = open(stat_path).read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:11 + count])


def cpu_seconds(pids):
    """utime + stime of the processes (and their waited-for children), in seconds."""
    return sum(_ticks(f"/proc/{pid}/stat", 4) for pid in pids) / CLK_TCK


def jit_seconds(pids):
    """CPU of .NET's background JIT thread (tier-up compilation) in the processes, in seconds: a
    start-up cost that ends once the hot methods are compiled, shown apart so a reader can tell a
    proxy still compiling from one that is not."""
    total = 0
    for pid in pids:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                if open(f"/proc/{pid}/task/{tid}/comm").read().startswith(".NET Tiered Com"):
                    total += _ticks(f"/proc/{pid}/task/{tid}/stat", 2)
            except FileNotFoundError:
                pass
    return total / CLK_TCK


def nginx_workers(master_pid):
    """nginx serves from its worker, not its master (the cache loader comes and goes)."""
    pids = []
    for tid in os.listdir(f"/proc/{master_pid}/task"):
        for child in open(f"/proc/{master_pid}/task/{tid}/children").read().split():
            if b"worker process" in open(f"/proc/{child}/cmdline", "rb").read():
                pids.append(int(child))
    return pids


class Reader:
    """One keep-alive connection reading presigned GETs to the end: little client CPU, so the
    figures speak of the server."""

    def __init__(self, base_url):
        u = urllib.parse.urlsplit(base_url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)

    def get(self, path):
        self.conn.request("GET", path)
        r = self.conn.getresponse()
        n = 0
        while chunk := r.read(256 * 1024):
            n += len(chunk)
        if r.status != 200:
            raise RuntimeError(f"GET {path} answered {r.status}")
        return n

    def close(self):
        self.conn.close()


def sweep(base_url, paths, pids, size):
    """Reads every path once, in order; returns objects/s and server CPU ms per object."""
    reader = Reader(base_url)
    try:
        cpu0, jit0, t0 = cpu_seconds(pids), jit_seconds(pids), time.perf_counter()
        for p in paths:
            if reader.get(p) != size:
                raise RuntimeError(f"GET {p}: short body")
        seconds, cpu, jit = time.perf_counter() - t0, cpu_seconds(pids) - cpu0, jit_seconds(pids) - jit0
    finally:
        reader.close()
    return {"objects_per_s": len(paths) / seconds, "cpu_ms_per_object": cpu * 1000 / len(paths),
            "jit_ms_per_object": jit * 1000 / len(paths)}


def bracketed_sweep(fresh, steady, size):
    """A server's reads with a warm one's right before and right after, as a steady state taken
    over the same seconds: whatever else the machine does meanwhile (its page cache's slow
    spells, other tenants) falls on both, where a figure taken minutes apart moved by 2 x.
    `fresh` and `steady` are (base_url, paths, pids); steady reads half its paths before, half
    after. Not by turns: that would halve the fresh server's pace, and a JIT's tier-up, which
    waits for a quiet 100 ms, would then fall on fewer fills. Returns the fresh server's figures
    with `steady_cpu_ms_per_object`, the warm one's over both halves."""
    half = len(steady[1]) // 2
    before = sweep(steady[0], steady[1][:half], steady[2], size)
    out = sweep(*fresh, size)
    after = sweep(steady[0], steady[1][half:], steady[2], size)
    return {**out, "steady_cpu_ms_per_object": (before["cpu_ms_per_object"] * half + after["cpu_ms_per_object"] * (len(steady[1]) - half)) / len(steady[1])}


def concurrent_sweep(base_url, paths, pids, size, clients=16):
    """The sweep with `clients` readers at once, each on its own keep-alive connection, taking the
    paths in turn: objects/s and server CPU ms per object for a burst of distinct cold objects."""
    import concurrent.futures
    import threading
    todo, lock = iter(paths), threading.Lock()

    def read_all():
        reader = Reader(base_url)
        try:
            while True:
                with lock:
                    p = next(todo, None)
                if p is None:
                    return
                if reader.get(p) != size:
                    raise RuntimeError(f"GET {p}: short body")
        finally:
            reader.close()

    cpu0, jit0, t0 = cpu_seconds(pids), jit_seconds(pids), time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        for f in [pool.submit(read_all) for _ in range(clients)]:
            f.result()
    seconds, cpu, jit = time.perf_counter() - t0, cpu_seconds(pids) - cpu0, jit_seconds(pids) - jit0
    return {"objects_per_s": len(paths) / seconds, "cpu_ms_per_object": cpu * 1000 / len(paths),
            "jit_ms_per_object": jit * 1000 / len(paths)}


def sdk_sweep(client, bucket, keys, pids, size):
    """The same with the AWS SDK for Python as the client (bench/README.md's warm 1 MiB row)."""
    cpu0, jit0, t0 = cpu_seconds(pids), jit_seconds(pids), time.perf_counter()
    for k in keys:
        if len(client.get_object(Bucket=bucket, Key=k)["Body"].read()) != size:
            raise RuntimeError(f"GET {k}: short body")
    seconds, cpu, jit = time.perf_counter() - t0, cpu_seconds(pids) - cpu0, jit_seconds(pids) - jit0
    return {"objects_per_s": len(keys) / seconds, "cpu_ms_per_object": cpu * 1000 / len(keys),
            "jit_ms_per_object": jit * 1000 / len(keys)}


def floor(folder, count=100, size=1024 * 1024):
    """What a verified 1 MiB fill cannot avoid on the machine it runs on, in CPU ms: the MD5 of its bytes
    (hashlib calls OpenSSL, the library .NET's MD5 calls on Linux) and writing them into a new
    file (new pages of the page cache), 256 KiB a write as a fill's pieces come. Measured in
    this process (utime + stime), in the same run as the sweep, so the sweep's rows can be read
    against it. The files are kept until all are written, as a cache keeps its fills. Beside it,
    what a cache that survives a power cut adds to each fill: a small file flushed to disk and
    renamed into a flushed folder (nginx proxy_cache flushes nothing)."""
    import hashlib
    import resource

    def cpu_ms(work):
        r0 = resource.getrusage(resource.RUSAGE_THREAD)
        work()
        r1 = resource.getrusage(resource.RUSAGE_THREAD)
        return ((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)) * 1000 / count

    body = os.urandom(size)
    # Pieces as views of the body, not copies: a 256 KiB bytes slice is memory this process may map
    # anew (whenever its allocator has given the last one back), and a page mapped anew costs about
    # 16 µs on 2 cores of a virtual machine (4.1-4.4 ms a MiB touched, 26 Nov). With copies and an allocator that
    # gives memory back at once (MALLOC_TRIM_THRESHOLD_=0), "a new file" measured 4.3 ms instead of
    # 0.18. The CPU is this thread's: no other thread of the bench is ever in the figure.
    pieces = memoryview(body)
    md5 = cpu_ms(lambda: [hashlib.md5(body).digest() for _ in range(count)])
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"floor-{i:04d}" for i in range(count)]

    def cpu_ms_removing(work):
        """cpu_ms of work that makes the files, which are removed after."""
        try:
            return cpu_ms(work)
        finally:
            for p in paths:
                p.unlink(missing_ok=True)

    def write_all():
        for p in paths:
            fd = os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            try:
                for at in range(0, size, 256 * 1024):
                    os.pwrite(fd, pieces[at:at + 256 * 1024], at)
            finally:
                os.close(fd)

    def flush_all():
        # What a fill's description costs to make durable before its body is renamed into place
        # (the embedded store's sidecar: a small new file flushed, renamed, its folder flushed).
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            for p in paths:
                tmp = p.with_suffix(".tmp")
                fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                try:
                    os.write(fd, pieces[:400])
                    os.fsync(fd)
                finally:
                    os.close(fd)
                os.rename(tmp, p)
                os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return {"md5_ms": md5, "new_file_write_ms": cpu_ms_removing(write_all), "durable_small_file_ms": cpu_ms_removing(flush_all)}
