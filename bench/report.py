"""Turns one run's measurements into bench/results/ (JSON, markdown, chart) and the README table."""
import json
import os
import platform
import re
import statistics

from servers import ROOT

RESULTS = ROOT / "bench" / "results"
README = ROOT / "bench" / "README.md"
MARK_START, MARK_END = "<!-- results:start -->", "<!-- results:end -->"
COLD_START, COLD_END = "<!-- cold:start -->", "<!-- cold:end -->"

# (row, set, target in the sweep, the CPU ms per object the target asks for (a Goal, or None), what of
# the floor (cold.floor) the row cannot avoid: every remote body whose ETag is its MD5 is verified by
# it, a body with a full-object checksum by that (a CRC, a tenth of a millisecond), and a fill
# with its cache on writes a new file)
class Goal:
    """A CPU ms per object target, absolute or against another figure of the same run."""

    def __init__(self, text, limit):
        self.text, self.limit = text, limit  # limit(run index, the sweep's results) -> ms

    @staticmethod
    def ms(value):
        return Goal(f"≤ {value} ms CPU", lambda i, sw: value)

    @staticmethod
    def floor(keys, plus, text):
        return Goal(text, lambda i, sw: sum(sw["floor"][i][k] for k in keys) + plus)

    @staticmethod
    def against(size, target, times=1.0, plus=0.0, text=""):
        return Goal(text, lambda i, sw: sw[size][target][i]["cpu_ms_per_object"] * times + plus)


SWEEP_ROWS = (
    ("cold GET 1 MiB, cache on (stream + store), MD5-verified", "1m", "proxy cache on",
     Goal.floor(("md5_ms", "new_file_write_ms"), 1.0, "≤ floor (MD5 + new file) + 1.0 ms"), ("md5_ms", "new_file_write_ms")),
    ("cold GET 1 MiB, cache off (stream through), MD5-verified", "1m", "proxy cache off",
     Goal.floor(("md5_ms",), 0.6, "≤ MD5 + 0.6 ms"), ("md5_ms",)),
    ("cold GET 1 MiB, the remote offers a full-object checksum, cache on", "1m-crc", "proxy cache on",
     Goal.against("1m-crc", "nginx proxy_cache", plus=0.5, text="≤ nginx proxy_cache + 0.5 ms"), ("new_file_write_ms",)),
    ("cold GET 1 MiB, the remote offers a full-object checksum, cache off", "1m-crc", "proxy cache off", Goal.ms(1.0), ()),
    ("second read of the same 1 MiB, cache off", "1m", "proxy cache off, second read", Goal.ms(2), ("md5_ms",)),
    ("cold GET 4 KiB, cache on", "4k", "proxy cache on", Goal.against("4k", "nginx proxy_cache", times=2, text="≤ 2 × nginx proxy_cache"), ()),
    ("cold GET 4 KiB, cache off", "4k", "proxy cache off", None, ()),
    ("warm GET 1 MiB (local hit, SDK client)", "1m", "proxy warm, SDK client", Goal.ms(1), ()),
)


# The plain relays of the sweep (bench.sweep_section): what moving a body between two sockets costs.
RELAYS = ("nginx relay", "minimal ASP.NET Core relay")


def _spread(runs, key, fmt):
    xs = sorted(m[key] for m in runs)
    return f"{fmt.format(xs[len(xs) // 2])} ({fmt.format(xs[0])}–{fmt.format(xs[-1])})"


def _sweep_table(r):
    """CPU per object of each server process, median and (min–max) over the runs."""
    sw = r["sweep"]
    runs = len(sw["1m"]["proxy cache on"])
    floors = sw.get("floor", [])
    lines = [f"| workload (per object; median (min–max) of {runs} runs) | S3 Overlay CPU ms | of which the JIT's tier-up thread | S3 Overlay objects/s "
             "| nginx proxy_cache CPU ms · objects/s | remote direct CPU ms · objects/s | floor: MD5 (+ new file) CPU ms "
             "| a flushed description (power-cut safety), CPU ms | a plain relay, storing and checking nothing: nginx · minimal ASP.NET Core, CPU ms | target | met |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    durable = _spread([{"ms": f["durable_small_file_ms"]} for f in floors], "ms", "{:.2f}") if floors and "durable_small_file_ms" in floors[0] else ""
    for row, size, target, goal, unavoidable in SWEEP_ROWS:
        if size not in sw:
            continue  # a run from before the set existed
        ms = sw[size][target]
        side = [_spread(sw[size][t], "cpu_ms_per_object", "{:.2f}") + " · " + _spread(sw[size][t], "objects_per_s", "{:.0f}")
                if row.startswith("cold") else "" for t in ("nginx proxy_cache", "remote direct")]
        met = ""
        if goal is not None:
            ok = sum(m["cpu_ms_per_object"] <= goal.limit(i, sw) for i, m in enumerate(ms))
            met = _met(ok, len(ms))
        jit = _spread(ms, "jit_ms_per_object", "{:.2f}") if all("jit_ms_per_object" in m for m in ms) else ""
        floor = _spread([{"ms": sum(f[k] for k in unavoidable)} for f in floors], "ms", "{:.2f}") if unavoidable and floors else ""
        relay = " · ".join(_spread(sw[size][t], "cpu_ms_per_object", "{:.2f}") for t in RELAYS) \
            if row.startswith("cold") and all(t in sw[size] for t in RELAYS) else ""
        lines.append(f"| {row} | {_spread(ms, 'cpu_ms_per_object', '{:.2f}')} | {jit} | {_spread(ms, 'objects_per_s', '{:.0f}')} "
                     f"| {side[0]} | {side[1]} | {floor} | {durable if target == 'proxy cache on' else ''} | {relay} | {goal.text if goal else '(no target)'} | {met} |")
    if "1m-c16" in sw:
        c16 = sw["1m-c16"]
        ok = sum(m["objects_per_s"] >= 0.8 * n["objects_per_s"] for m, n in zip(c16["proxy cache on"], c16["nginx proxy_cache"]))
        lines.append(f"| 16 concurrent clients, cold 1 MiB, cache on: **objects/s** | {_spread(c16['proxy cache on'], 'cpu_ms_per_object', '{:.2f}')} "
                     f"| {_spread(c16['proxy cache on'], 'jit_ms_per_object', '{:.2f}')} | **{_spread(c16['proxy cache on'], 'objects_per_s', '{:.0f}')}** "
                     f"| {_spread(c16['nginx proxy_cache'], 'cpu_ms_per_object', '{:.2f}')} · **{_spread(c16['nginx proxy_cache'], 'objects_per_s', '{:.0f}')}** "
                     f"| {_spread(c16['remote direct'], 'cpu_ms_per_object', '{:.2f}')} · {_spread(c16['remote direct'], 'objects_per_s', '{:.0f}')} "
                     f"| | {durable} | | objects/s ≥ 0.8 × nginx proxy_cache | {_met(ok, len(c16['proxy cache on']))} |")
    steady = sorted(m["cpu_ms_per_object"] for m in sw["1m"]["proxy cache on"])[runs // 2]
    for key, what in (("fresh", "a fresh process, cache on: CPU per fill over its first 100 fills (a new proxy and store each run"),
                      ("restarted", "the same, the sweep's cache-on proxy restarted over the store it filled (three restarts"),
                      ("fresh-aot", "a fresh process of the Native AOT build (not what ships: its warm GETs cost more CPU, bench/README.md)")):
        if not r.get(key):
            continue
        fresh = r[key]
        # Against a warm proxy's fills right before and after these (bench.py, fresh_section), or the sweep's median.
        ratios = [{"x": m["cpu_ms_per_object"] / m.get("steady_cpu_ms_per_object", steady)} for m in fresh]
        against = (f"steady = a warm proxy's fills right before and after, {_spread(fresh, 'steady_cpu_ms_per_object', '{:.2f}')})"
                   if all("steady_cpu_ms_per_object" in m for m in fresh) else f"steady = the first row's median, {steady:.2f})")
        ok = sum(x["x"] <= 1.3 for x in ratios)
        lines.append(f"| {what}; {against} | {_spread(fresh, 'cpu_ms_per_object', '{:.2f}')} "
                     f"({_spread(ratios, 'x', '{:.2f}')} × steady) "
                     f"| {_spread(fresh, 'jit_ms_per_object', '{:.2f}')} | | | | | | "
                     f"| ≤ 1.3 × steady | {_met(ok, len(fresh))} |")
    return "\n".join(lines)


def _met(ok, runs):
    return "yes" if ok == runs else "**no**" if ok == 0 else f"in {ok} of {runs} runs"


def _chunked_runs(c1, c64, server):
    """(each run's median chunked first byte against the server's 1 MiB median, in runs of three reads
    as they were read; how many single reads were within 1.5 × of it; the reads)."""
    each = c64[server].get("ttfb_runs_ms", [c64[server]["ttfb_ms"]])
    whole = c1[server]["ttfb_ms"]
    runs = [statistics.median(each[i:i + 3]) / whole for i in range(0, max(len(each) - 2, 1), 3)]
    return runs, sum(t <= 1.5 * whole for t in each), each


def _ttfb_table(r):
    c1, c64 = r["cold"]["1m"], r["cold"]["64m"]
    lines = ["| cold GET, time to first byte (ms, median) | S3 Overlay | side by side | ratio | target | met |",
             "|---|---|---|---|---|---|"]
    rows = [("1 MiB, a new connection per GET (curl)", c1, "", 1.3), ("64 MiB (chunked), a new connection per GET", c64, "", None)]
    if "proxy keep-alive" in c1:
        rows.insert(1, ("1 MiB, one kept-alive connection", c1, " keep-alive", 1.1))
    for name, c, kind, limit in rows:
        proxy, direct, nginx = (c[v + kind]["ttfb_ms"] for v in ("proxy", "direct", "nginx"))
        ratio = proxy / direct
        # The plain relays (from 26 Nov): what each platform's first byte costs with nothing stored or checked.
        relays = "".join(f" · {label} {c[v + kind]['ttfb_ms']:.1f} ({c[v + kind]['ttfb_ms'] / direct:.2f} ×)"
                         for v, label in (("nginx relay", "nginx plain relay"), ("minimal relay", "minimal ASP.NET Core relay")) if v + kind in c)
        lines.append(f"| {name} | {proxy:.1f} | remote itself {direct:.1f} · nginx proxy_cache {nginx:.1f} ({nginx / direct:.2f} ×){relays} | {ratio:.2f} × remote "
                     f"| {f'≤ {limit} × remote' if limit else '(no target)'} | {'' if limit is None else 'yes' if ratio <= limit else '**no**'} |")
    # The target: "≤ 1.5 × the 1 MiB cold first byte, in 3 runs of 3". Each run's median of three
    # chunked reads against the same server's 1 MiB median, for the remote and nginx as well: what
    # a 64 MiB first byte costs any server here beside a 1 MiB one.
    runs = {v: _chunked_runs(c1, c64, v) for v in ("proxy", "direct", "nginx")}
    ratios, _, reads = runs["proxy"]
    ok = sum(x <= 1.5 for x in ratios)
    shown = lambda v: ", ".join(f"{x:.2f}" for x in runs[v][0])
    lines.append(f"| 64 MiB chunked against 1 MiB, {len(ratios)} run{'s' if len(ratios) > 1 else ''} of 3 reads (each run's median first byte against the same server's 1 MiB median) "
                 f"| {shown('proxy')} × | remote itself {shown('direct')} × · nginx proxy_cache {shown('nginx')} × | each read: {', '.join(f'{t:.1f}' for t in reads)} ms "
                 f"against {c1['proxy']['ttfb_ms']:.1f} | ≤ 1.5 × 1 MiB, in 3 runs of 3 | {_met(ok, len(ratios))} |")
    within = lambda v: f"{runs[v][1]} of {len(runs[v][2])}"
    lines.append(f"| the same, each read on its own within 1.5 × its server's 1 MiB median (no target: the spread the machine's reads give every server) "
                 f"| {within('proxy')} | remote itself {within('direct')} · nginx proxy_cache {within('nginx')} | | | |")
    return "\n".join(lines)


def _rows(r):
    """(workload, proxy, baseline, ratio text, target, met) for the warm, range, RSS and PUT targets."""
    w1, w4 = r["warm"]["1m"], r["warm"]["4k"]
    rows = []

    def add(name, proxy, baseline, ratio, target, met):
        rows.append((name, proxy, baseline, ratio, target, "yes" if met else "**no**"))

    app = "minimal ASP.NET Core app"
    ratio = w1["proxy"]["mbs"] / w1["nginx"]["mbs"]
    add("warm GET 1 MiB, presigned, wrk -c16 (MB/s, median of the rounds)", f"{w1['proxy']['mbs']:.0f}",
        f"nginx {w1['nginx']['mbs']:.0f}{_no_sendfile(w1)} · {app} {w1[app]['mbs']:.0f} · s3rver {w1['s3rver']['mbs']:.0f}" if app in w1 else
        f"nginx {w1['nginx']['mbs']:.0f} · s3rver {w1['s3rver']['mbs']:.0f}",
        f"{ratio:.2f} × nginx ({_round_ratios(w1, 'nginx', 'mbs')})", "≥ 0.9 × nginx", ratio >= 0.9)
    rn = w4["proxy"]["rps"] / w4["nginx"]["rps"]
    if app in w4:
        ra = w4["proxy"]["rps"] / w4[app]["rps"]
        add("warm GET 4 KiB (req/s, median of the rounds)", f"{w4['proxy']['rps']:.0f}",
            f"nginx {w4['nginx']['rps']:.0f}{_no_sendfile(w4, 'rps')} · {app} {w4[app]['rps']:.0f} · s3rver {w4['s3rver']['rps']:.0f}",
            f"{ra:.2f} × the app ({_round_ratios(w4, app, 'rps')}), {rn:.2f} × nginx ({_round_ratios(w4, 'nginx', 'rps')})",
            "≥ 0.85 × the minimal app, ≥ 0.6 × nginx", ra >= 0.85 and rn >= 0.6)
    cold = r["range"]["cold"]
    add("1 MiB range in a 1 GiB remote object (remote body bytes)", f"{cold['remote_body_bytes']:,}",
        f"{cold['remote_requests']} remote request(s), {cold['latency_ms']:.0f} ms; repeat: {r['range']['repeat']['remote_body_bytes']:,} bytes",
        f"{cold['remote_body_bytes'] / 16 / 2**20:.2f} chunks", "≤ one chunk (16 MiB)", cold["remote_body_bytes"] <= 16 * 2**20)
    co = r["coalesce"]
    add("64 concurrent cold GETs of one key (remote GETs)", str(co["remote_gets"]), f"{co['bodies_correct']}/64 bodies correct",
        "", "exactly 1", co["remote_gets"] == 1 and co["bodies_correct"] == 64)
    for attempt in ("cold", "warm"):
        x = r["rss"][attempt]
        add(f"peak RSS serving a 2 GiB object, {attempt} (MiB)", f"{x['peak_rss_mib']:.0f}",
            f"idle {x['idle_rss_mib']:.0f} MiB, {x['mbs']:.0f} MB/s", "", "< 200 MiB", x["peak_rss_mib"] < 200)
    p = r["put"]
    rows.append(("PUT 64 MiB (MB/s)", f"{p['64m']['proxy']:.0f}", f"s3rver {p['64m']['s3rver']:.0f}",
                 f"{p['64m']['proxy'] / p['64m']['s3rver']:.1f} × s3rver", "(no target)", ""))
    rows.append(("PUT 4 KiB (req/s)", f"{p['4k']['proxy']['rps']:.0f}", f"s3rver {p['4k']['s3rver']['rps']:.0f}",
                 f"{p['4k']['proxy']['rps'] / p['4k']['s3rver']['rps']:.1f} × s3rver", "(no target)", ""))
    return rows


def _no_sendfile(w, key="mbs"):
    """nginx with sendfile off, beside nginx, where the run measured it."""
    return f" (sendfile off {w[NO_SENDFILE][key]:.0f})" if NO_SENDFILE in w else ""


NO_SENDFILE = "nginx, sendfile off"


def _round_ratios(w, other, key):
    """The proxy's figure over another server's, round by round (they ran in turn within a round)."""
    pairs = zip(w["proxy"].get("runs", [w["proxy"]]), w[other].get("runs", [w[other]]))
    return "rounds " + ", ".join(f"{p[key] / o[key]:.2f}" for p, o in pairs)


def _latency_table(r):
    lines = ["| warm GET | server | req/s | MB/s | server CPU µs per request | p50 ms | p99 ms | warm-up until steady (s) |",
             "|---|---|---|---|---|---|---|---|"]
    for size in ("1m", "4k"):
        for server, m in r["warm"][size].items():
            runs = m.get("runs", [m])
            cpu = _spread(runs, "cpu_us_per_request", "{:.0f}") if "cpu_us_per_request" in m else ""
            lines.append(f"| {'1 MiB' if size == '1m' else '4 KiB'} | {server} | {_spread(runs, 'rps', '{:.0f}')} | {_spread(runs, 'mbs', '{:.0f}')} "
                         f"| {cpu} | {m['p50_ms']:.2f} | {m['p99_ms']:.2f} | {m.get('warm_up_s', '')} |")
    return "\n".join(lines)


def _chart(r, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    w1, w4 = r["warm"]["1m"], r["warm"]["4k"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, data, unit, title in ((axes[0], w1, "mbs", "warm GET 1 MiB (MB/s)"), (axes[1], w4, "rps", "warm GET 4 KiB (req/s)")):
        names = list(data)
        ax.bar(names, [data[n][unit] for n in names], color=["#3b82f6", "#10b981", "#6ee7b7", "#8b5cf6", "#f59e0b"][:len(names)])
        ax.tick_params(axis="x", labelsize=7)
        ax.set_title(title)
        for i, n in enumerate(names):
            ax.text(i, data[n][unit], f"{data[n][unit]:.0f}", ha="center", va="bottom")
    fig.suptitle("S3 Overlay vs nginx, a minimal ASP.NET Core app and s3rver, same files, same client (wrk -t1 -c16, loopback, 2 cores)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def _replace(text, start, end, body):
    if start not in text:
        text += f"\n{start}\n{end}\n"
    return re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: f"{start}\n{body}{end}", text, flags=re.S)


def write(r):
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "cold" if r["cold_only"] else "results"
    (RESULTS / f"{name}.json").write_text(json.dumps(r, indent=2))
    load = r.get("load_average")
    shared = (f" **Taken on a shared machine** (1-minute load average {load[0]:.1f} at the start, {load[-1]:.1f} at the end): "
              "CPU per object holds up, objects/s and latencies do not." if r.get("shared") else
              f" Load average {load[0]:.1f} at the start, {load[-1]:.1f} at the end." if load else "")
    command = "bench/run.sh" + (" --cold" if r["cold_only"] else "") + (" --shared" if r.get("shared") else "")
    run = (f"Run {r['started']} – {r['finished']} on {platform.machine()}, {os.cpu_count()} cores"
           f"{' (quick mode)' if r['quick'] else ''}; command: `{command}`.{shared}\n\n")
    cold = run + _sweep_table(r) + "\n\n" + _ttfb_table(r) + "\n"
    text = README.read_text() if README.exists() else ""
    text = _replace(text, COLD_START, COLD_END, cold)
    out = cold
    if not r["cold_only"]:
        table = ["| workload | S3 Overlay | side by side | ratio | target | met |", "|---|---|---|---|---|---|"]
        table += ["| " + " | ".join(row) + " |" for row in _rows(r)]
        body = run + "\n".join(table) + "\n\n" + _latency_table(r) + "\n\n![chart](results/chart.png)\n"
        try:
            _chart(r, RESULTS / "chart.png")
        except ImportError:
            print("matplotlib missing: no chart")
        text = _replace(text, MARK_START, MARK_END, body)
        out = body + "\n" + cold
    (RESULTS / f"{name}.md").write_text(out)
    README.write_text(text)
    print(out)
