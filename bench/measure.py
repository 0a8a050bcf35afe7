"""Load and latency measurements: wrk for throughput, curl for time to first byte."""
import os
import re
import statistics
import subprocess
import tempfile

from servers import WORK

WRK_GET = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""

WRK_PUT = """
local f = io.open(os.getenv("WRK_BODY"), "rb")
local body = f:read("*a")
f:close()
local path = os.getenv("WRK_PATH")
request = function()
  return wrk.format("PUT", path, {["Content-Type"] = "application/octet-stream"}, body)
end
"""

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}
_BYTES = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3}


def _ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def wrk(base_url, paths=None, put_path=None, put_body=None, connections=16, seconds=8):
    """Runs wrk (1 thread, as the server shares the 2 cores) and returns req/s, requests answered, MB/s, p50/p99 ms."""
    env = {}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", dir=WORK, delete=False) as script:
        if paths is not None:
            script.write(WRK_GET)
            list_file = WORK / "wrk-paths.txt"
            list_file.write_text("\n".join(paths) + "\n")
            env["WRK_PATHS"] = str(list_file)
        else:
            script.write(WRK_PUT)
            env["WRK_PATH"] = put_path
            env["WRK_BODY"] = str(put_body)
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, base_url],
                             capture_output=True, text=True, env={**os.environ, **env}, check=True).stdout
    finally:
        os.unlink(script.name)  # one per call: a full run left hundreds
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    t = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    mbs = float(t.group(1)) * _BYTES[t.group(2)] / 1e6
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} error responses against {base_url}:\n{out}")
    return {"rps": rps, "requests": requests, "mbs": mbs, "p50_ms": p50, "p99_ms": p99}


def warm_up(base_url, paths, most=20, seconds=2):
    """Unmeasured load until a server's throughput stops rising: rounds of `seconds` until two in
    a row beat the best before them by less than 3 % (at most `most` rounds). Returns the seconds
    it took (first full run: nginx 6-8 s, the proxy 8-16 s, s3rver 8-24 s). The proxy's tier-up JIT
    compiles its hot paths under load for 10-20 s here (wrk rounds of 8 s after 3 s of warm-up went
    8,000, 12,700, 13,800 req/s), so the fixed 2 s warm-up before measured it still compiling."""
    best, flat, rounds = 0.0, 0, 0
    while rounds < most and flat < 2:
        rps = wrk(base_url, paths, seconds=seconds)["rps"]
        rounds += 1
        flat = flat + 1 if rps < best * 1.03 else 0
        best = max(best, rps)
    return rounds * seconds


def steady_cpu(server, paths, seconds, cpu_seconds):
    """A server's steady warm-GET figures: loaded until steady (warm_up), then wrk -c16 for `seconds`;
    returns wrk's figures and the server's CPU µs per request (cpu_seconds: cold.cpu_seconds, utime + stime from /proc), which a
    busy machine disturbs less than req/s."""
    warm_up(server.url, paths)
    before = cpu_seconds([server.pid])
    r = wrk(server.url, paths, seconds=seconds)
    return r, (cpu_seconds([server.pid]) - before) * 1e6 / (r["rps"] * seconds)


def ttfb_ms(url, headers=None):
    """Time to first byte of one GET, read to the end (curl's time_starttransfer)."""
    args = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_starttransfer} %{time_total}", url]
    for k, v in (headers or {}).items():
        args += ["-H", f"{k}: {v}"]
    code, first, total = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()
    if not code.startswith("2"):
        raise RuntimeError(f"GET {url} answered {code}")
    return float(first) * 1000, float(total) * 1000


class KeptAlive:
    """Times to first byte over one kept-alive HTTP/1.1 connection (Python's http.client)."""

    def __init__(self, base_url):
        import http.client
        import urllib.parse
        u = urllib.parse.urlsplit(base_url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)

    def ttfb_ms(self, path):
        """(ms to the first body byte, ms to the last) of one GET on the connection."""
        import time
        t0 = time.perf_counter()
        self.conn.request("GET", path)
        r = self.conn.getresponse()
        first = r.read(1)
        t1 = time.perf_counter()
        while r.read(256 * 1024):
            pass
        if r.status != 200 or not first:
            raise RuntimeError(f"GET {path} answered {r.status}")
        return (t1 - t0) * 1000, (time.perf_counter() - t0) * 1000

    def close(self):
        self.conn.close()


def median(xs):
    return statistics.median(xs)


def put_file_mbs(url, path, size, times=3):
    """Sequential PUTs of one file with curl; MB/s over all of them."""
    total = 0.0
    for _ in range(times):
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-T", str(path),
                              "-H", "Content-Type: application/octet-stream", url],
                             capture_output=True, text=True, check=True).stdout.split()
        if not out[0].startswith("2"):
            raise RuntimeError(f"PUT {url} answered {out[0]}")
        total += float(out[1])
    return size * times / total / 1e6
