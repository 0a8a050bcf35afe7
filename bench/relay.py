"""An nginx relay that logs every request it passes on, with the range asked for and the body
bytes it actually passed (not only the Content-Length announced: a reader that hangs up early
stops the transfer), and a status page that says how many requests are still in flight."""
import re
import time
import urllib.request

from servers import WORK, free_port, start_nginx

LOG_FORMAT = ("log_format ranges '$request_method $uri $status $upstream_http_content_length "
              "$body_bytes_sent $http_range $request_time $upstream_header_time';")


def _number(text, kind=int):
    return kind(text) if text not in ("-", "") else None


def parse_range(header, size=None):
    """`bytes=a-b` → (a, b); `bytes=a-` → (a, None); no header → None; a suffix → (None, n)."""
    if header is None:
        return None
    m = re.fullmatch(r"bytes=(\d*)-(\d*)", header)
    if not m:
        return None
    if m.group(1) == "":
        return None, int(m.group(2))
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None


def parse_line(line):
    f = line.split()
    return {"method": f[0], "uri": f[1], "status": int(f[2]), "declared": _number(f[3]) or 0,
            "sent": int(f[4]), "range": None if f[5] == "-" else f[5], "seconds": float(f[6]),
            "header_seconds": _number(" ".join(f[7:]).split(",")[-1].strip(), float)}


def covers(request, offset):
    """Whether a GET asked for the byte at `offset` (a whole GET asks for every byte)."""
    if request["method"] != "GET":
        return False
    r = parse_range(request["range"])
    if r is None or r[0] is None:
        return True
    return r[0] <= offset and (r[1] is None or offset <= r[1])


class Relay:
    def __init__(self, name, upstream_url):
        self.port, status_port = free_port(), free_port()
        self.log = WORK / name / "logs" / "relay.log"
        self.server = start_nginx(name, f"""
  {LOG_FORMAT}
  server {{ listen 127.0.0.1:{self.port};
    access_log {self.log} ranges;
    location / {{ proxy_pass {upstream_url}; proxy_http_version 1.1; proxy_set_header Host $http_host;
                 proxy_buffering off; proxy_request_buffering off; proxy_read_timeout 300s; }} }}
  server {{ listen 127.0.0.1:{status_port}; location / {{ stub_status; }} }}
""")
        self.url = f"http://127.0.0.1:{self.port}"
        self.status_url = f"http://127.0.0.1:{status_port}/"
        deadline = time.time() + 30
        while True:
            try:
                self.in_flight()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.1)

    def mark(self):
        return self.log.stat().st_size if self.log.exists() else 0

    def since(self, mark):
        if not self.log.exists():
            return []
        with open(self.log) as f:
            f.seek(mark)
            return [parse_line(line) for line in f.read().splitlines() if line.strip()]

    def in_flight(self):
        text = urllib.request.urlopen(self.status_url, timeout=5).read().decode()
        m = re.search(r"Reading: (\d+) Writing: (\d+)", text)
        return int(m.group(1)) + int(m.group(2)) - 1  # less the status request itself

    def settle(self, quiet=0.4, most=120):
        """Waits until nothing has been in flight and the log has not grown for `quiet` seconds.
        nginx logs a request when it ends, and a fill or a read-ahead goes on after the client
        has its bytes: a read's remote requests are all counted only then. False if it never
        settled within `most` seconds."""
        deadline = time.time() + most
        size, since = -1, time.time()
        while time.time() < deadline:
            now = self.mark()
            if self.in_flight() > 0 or now != size:
                size, since = now, time.time()
            elif time.time() - since >= quiet:
                return True
            time.sleep(0.05)
        return False

    def stop(self):
        self.server.stop()


class Delivered:
    """Which bytes of each object the remote has delivered to the proxy (per the relay's log):
    whether a chunk's bytes have all come from the remote before, whatever the proxy kept."""

    def __init__(self):
        self.spans = {}

    def add(self, requests):
        for r in requests:
            if r["method"] == "GET" and r["status"] in (200, 206) and r["sent"] > 0:
                start = (parse_range(r["range"]) or (0, None))[0] or 0
                self.spans.setdefault(r["uri"], []).append((start, start + r["sent"]))

    def has(self, uri, start, end):
        at = start
        for s, e in sorted(self.spans.get(uri, [])):
            if s > at:
                break
            at = max(at, e)
            if at >= end:
                return True
        return at >= end
