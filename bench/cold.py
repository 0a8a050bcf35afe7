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


def sdk_sweep(client, bucket, keys, pids, size):
    """The same with the AWS SDK for Python as the client (the issue's warm 1 MiB row)."""
    cpu0, jit0, t0 = cpu_seconds(pids), jit_seconds(pids), time.perf_counter()
    for k in keys:
        if len(client.get_object(Bucket=bucket, Key=k)["Body"].read()) != size:
            raise RuntimeError(f"GET {k}: short body")
    seconds, cpu, jit = time.perf_counter() - t0, cpu_seconds(pids) - cpu0, jit_seconds(pids) - jit0
    return {"objects_per_s": len(keys) / seconds, "cpu_ms_per_object": cpu * 1000 / len(keys),
            "jit_ms_per_object": jit * 1000 / len(keys)}
