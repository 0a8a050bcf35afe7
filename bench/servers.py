"""The servers a benchmark run starts on loopback: the proxy, s3rver, nginx (plain, as a logging
relay, and as proxy_cache), a minimal ASP.NET Core app serving files. Every one is stopped when the run ends, whatever happens."""
import json
import os
import pathlib
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
# Another published build to measure (a before/after comparison); bench/run.sh publishes the tree's own here.
PROXY = pathlib.Path(os.environ.get("BENCH_PROXY", WORK / "proxy"))
# The Native AOT publish of the same tree (bench/run.sh makes it where clang is): its fresh-process row.
AOT_PROXY = pathlib.Path(os.environ.get("BENCH_AOT_PROXY", WORK / "aot"))

_started = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer means it listens
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


class Server:
    def __init__(self, name, args, env=None, cwd=None, stdin=None):
        log = open(WORK / f"{name}.log", "ab")
        self.name = name
        self.proc = subprocess.Popen(args, env={**os.environ, **(env or {})}, cwd=cwd,
                                     stdout=subprocess.PIPE if stdin else log, stderr=log,
                                     stdin=stdin)
        _started.append(self)

    @property
    def pid(self):
        return self.proc.pid

    def peak_rss_mib(self):
        """VmHWM: the process's peak resident set since it started."""
        for line in open(f"/proc/{self.pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self in _started:
            _started.remove(self)


def stop_all():
    for s in list(_started):
        s.stop()


S3RVER_KEYS = ("S3RVER", "S3RVER")
PROXY_KEYS = ("minioadmin", "minioadmin")


def overlay_env(remote_url, keys=S3RVER_KEYS):
    """A proxy that overlays every bucket of a remote (s3rver's keys unless told) and caches what it reads."""
    return {"S3_OVERLAY_REMOTE_ENDPOINT": remote_url, "S3_OVERLAY_REMOTE_REGION": "us-east-1",
            "S3_OVERLAY_REMOTE_ADDRESSING_STYLE": "path", "S3_OVERLAY_REMOTE_ACCESS_KEY_ID": keys[0],
            "S3_OVERLAY_REMOTE_SECRET_ACCESS_KEY": keys[1], "S3_OVERLAY_CACHE_ENABLED": "true",
            "S3_OVERLAY_REMOTE_BUCKETS": "*"}


def start_proxy(name, data_dir, env=None, build=None, port=None, timeout=60):
    """A proxy of `build` (a publish folder; PROXY unless given) on `port` (a free one unless given)."""
    build = build or PROXY
    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    # A self-contained publish carries its runtime, and a Native AOT one is nothing but the
    # executable: both start by it.
    native = (build / "libcoreclr.so").exists() or not (build / "S3Overlay.Proxy.dll").exists()
    command = [str(build / "S3Overlay.Proxy")] if native else ["dotnet", str(build / "S3Overlay.Proxy.dll")]
    s = Server(name, command + ["--urls", f"http://127.0.0.1:{port}"],
               env={"S3_OVERLAY_DATA_DIR": str(data_dir), "Logging__LogLevel__Default": "Warning",
                    "DOTNET_gcServer": "1", **(env or {})},
               cwd=str(build))
    s.url = f"http://127.0.0.1:{port}"
    wait_http(s.url + "/_overlay/alive", timeout)
    return s


MINIMAL_APP = WORK / "minimal-app"


def start_minimal_app(name, root=None, remote=None):
    """The minimal ASP.NET Core app (bench/minimal-app, published by bench/run.sh) serving the files
    under `root`, or relaying every GET to `remote`."""
    port = free_port()
    mode = ["--root", str(root)] if root else ["--remote", remote]
    s = Server(name, ["dotnet", str(MINIMAL_APP / "MinimalFileServer.dll"), *mode, "--urls", f"http://127.0.0.1:{port}"],
               env={"DOTNET_gcServer": "1"}, cwd=str(MINIMAL_APP))
    s.url = f"http://127.0.0.1:{port}"
    wait_http(s.url + "/")
    return s


def start_s3rver(data_dir):
    data_dir.mkdir(parents=True, exist_ok=True)
    s = Server("s3rver", ["node", "start.js", str(data_dir)],
               env={"NODE_OPTIONS": "--openssl-legacy-provider"},
               cwd=str(ROOT / "S3Overlay.Tests" / "s3rver"), stdin=subprocess.PIPE)
    port = json.loads(s.proc.stdout.readline())["port"]
    s.url = f"http://127.0.0.1:{port}"
    return s


def start_nginx(name, servers_conf):
    """nginx with one worker (as measured in research/anchors.md), logging what it relays."""
    home = WORK / name
    (home / "logs").mkdir(parents=True, exist_ok=True)
    user = "user root;" if os.geteuid() == 0 else ""
    conf = f"""
{user}
worker_processes 1;
pid {home}/nginx.pid;
error_log {home}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  default_type application/octet-stream;
  log_format relay '$request_method $uri $status $upstream_http_content_length';
  access_log off;
  client_body_temp_path {home}/body; proxy_temp_path {home}/proxy_temp;
  fastcgi_temp_path {home}/f; uwsgi_temp_path {home}/u; scgi_temp_path {home}/s;
  {servers_conf}
}}
"""
    (home / "nginx.conf").write_text(conf)
    s = Server(name, ["nginx", "-p", str(home), "-c", str(home / "nginx.conf"), "-g", "daemon off;"])
    s.home = home
    return s
