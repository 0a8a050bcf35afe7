"""Turns a ranges.py run into bench/results/NAME.json and .md, and the README's range-reader table."""
import json
import os
import platform

from report import README, RESULTS, _replace

MiB = 1024 * 1024
START, END = "<!-- ranges:start -->", "<!-- ranges:end -->"
GOALS = """Goals, beside the figures:
- **first chunk fetched before → no remote request for the first byte**: a read whose first chunk
  the remote has already sent whole (seen in the relay's log) asks the remote nothing covering its first byte;
- **≤ reached + 1 read-ahead**: cold, each read costs the remote at most the chunks it reached that
  had not been sent before, plus one chunk read ahead;
- **an identical repeat costs 0** remote bytes and requests (the warm run);
- **concurrent readers: at most one remote GET per chunk, 1.00 ×** the object's bytes (a whole GET
  gives every chunk it reaches: no chunk is asked for twice)."""


def size(b):
    if b == 0:
        return "0"
    return f"{b / 1024:.0f} KiB" if b < MiB else f"{b / MiB:.1f} MiB"


def yes(ok):
    return "yes" if ok else "**no**"


def _run_row(chunk, run, s):
    first = (f"{s['of_which_first_byte_asked_remote']} of {s['first_chunk_fetched_before']} asked: {yes(s['of_which_first_byte_asked_remote'] == 0)}"
             if s["first_chunk_fetched_before"] else "none such")
    if s["warm"]:
        cost = f"{s['remote_requests']} requests, {size(s['remote_body_bytes'])}: {yes(s['remote_requests'] == 0)}"
    elif "per_read" in s:  # each read against its own allowance
        cost = (f"{s['reads'] - s['reads_over_bound']} of {s['reads']} reads within; {size(s['remote_body_bytes'])} "
                f"of {size(s['bound_bytes'])} allowed: {yes(s['reads_over_bound'] == 0)}")
    else:  # one process's requests, counted together
        cost = f"{size(s['remote_body_bytes'])} of {size(s['bound_bytes'])} allowed: {yes(s['reads_over_bound'] == 0)}"
    ok = s["correct"] is True or (type(s["correct"]) is int and s["correct"] == s["reads"])
    note = ("" if ok else " (**wrong bytes**)") + ("" if s["all_settled"] else " (relay never settled)")
    return (f"| {chunk} | {run}{note} | {s['remote_gets']} · {s['remote_heads']} | {size(s['remote_body_bytes'])} "
            f"({size(s['remote_asked_bytes'])}) | {size(s['client_bytes'])} | {s['remote_over_read']:.1f} × "
            f"| {s['ttfb_median_ms']:.1f} · {s['ttfb_p90_ms']:.1f} | {_ms(s.get('ttfb_first_chunk_new_median_ms'))} · "
            f"{_ms(s.get('ttfb_first_chunk_fetched_before_median_ms'))} | {first} | {cost} |")


def _ms(x):
    return "–" if x is None else f"{x:.1f}"


HEAD = ("| chunk | run | remote GET · HEAD | remote body bytes (asked) | client read | remote ÷ read "
        "| first byte ms, median · p90 | first byte ms when the first chunk was new · fetched before (medians) "
        "| first chunk fetched before → first byte asked of the remote "
        "| cold: ≤ reached + 1 read-ahead · warm: repeat costs 0 |\n|---|---|---|---|---|---|---|---|---|---|")


def _runs_table(r, workload):
    rows = [HEAD]
    for label, c in r["chunks"].items():
        for run in ("cold", "warm"):
            if c.get(workload):
                rows.append(_run_row(f"{label[:-1]} MiB", run, c[workload][run]))
    return "\n".join(rows)


def _crowd_table(r):
    rows = ["| chunk | chunks | remote GET · HEAD | remote body bytes ÷ object (asked) | bodies correct | first byte ms, median · p90 "
            "| all 60 done (s) | goal: ≤ one remote GET per chunk | goal: 1.00 × |", "|---|---|---|---|---|---|---|---|---|"]
    for label, c in r["chunks"].items():
        x = c["crowd"]
        asked = x["remote_asked_bytes"] / x["object_bytes"]
        note = "" if x["bodies_correct"] == x["readers"] else " (**wrong bytes**)"
        rows.append(f"| {label[:-1]} MiB | {x['chunks']} | {x['remote_gets']} · {x['remote_heads']} "
                    f"| {x['remote_over_object']:.2f} × ({asked:.2f} ×) | {x['bodies_correct']}/{x['readers']}{note} "
                    f"| {x['ttfb_median_ms']:.0f} · {x['ttfb_p90_ms']:.0f} | {x['seconds']:.1f} "
                    f"| {yes(x['remote_gets'] <= x['chunks'])} | {yes(round(x['remote_over_object'], 2) == 1.0)} |")
    return "\n".join(rows)


def _gdal_note(r):
    cog = r.get("cog")
    if not cog:
        return "No real GDAL read in this run (left out, or gdal_translate not installed; the synthetic window read stands for it).\n"
    first = next(iter(r["chunks"].values())).get("gdal", {}).get("cold", {})
    asked = ", ".join(first.get("client_ranges", []))
    return (f"A real cloud-optimized GeoTIFF ({cog['pixels']} × {cog['pixels']} bytes, 1 band, {cog['block']} × {cog['block']} tiles, "
            f"uncompressed, {size(cog['bytes'])} with overviews) read by `gdal_translate -srcwin {' '.join(map(str, cog['window']))}` "
            f"through `/vsis3/`, one process per run; GDAL asked: {asked}. Its first byte is the time to the proxy's response "
            "header, measured by a relay in front of the proxy; every window's pixels are compared with the same window read from the file.\n")


def markdown(r):
    b = r["build"]
    sources = ""
    if b.get("sources"):
        sources = (f"; its sources (all but `bench/`) as of `{b['sources'][:12]}`"
                   f"{', with uncommitted changes' if b['uncommitted'] else ''}")
    head = (f"Run {r['started']} – {r['finished']} on {platform.machine()}, {os.cpu_count()} cores; proxy built from commit "
            f"`{(b['commit'] or 'unknown')[:12]}` ({b['proxy']}, built {b['built']}){sources}; command: `{r['command']}`.\n\n")
    ran = lambda workload: any(c.get(workload) for c in r["chunks"].values())  # --gdal-only runs the COG alone
    parts = [head, GOALS]
    if ran("seeks"):
        parts += ["\n\n**30 seeks of 64 KiB** (`Range: bytes=X-`, a new connection each, closed after 64 KiB) "
                  "in a 200 MiB object, then the same 30 again:\n\n", _runs_table(r, "seeks"),
                  "\n\n**GDAL-like window** (`Range: bytes=a-b` on one kept-alive connection): a 16 KiB header at 0, then "
                  "8 tiles of 256 KiB, in a 96 MiB object, then the same 9 again:\n\n", _runs_table(r, "window")]
    if r.get("cog"):
        parts += ["\n\n**GDAL, a real COG window** (cold: a fresh process; warm: the same command again):\n\n",
                  _runs_table(r, "gdal"), "\n\n", _gdal_note(r)]
    else:
        parts += ["\n\n", _gdal_note(r)]
    if ran("crowd"):
        parts += ["\n**60 concurrent cold readers of one 64 MiB object** (whole GETs, Python threads started together):\n\n",
                  _crowd_table(r), "\n"]
    return "".join(parts)


def write(r, name, update_readme):
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(r, indent=2))
    md = markdown(r)
    (RESULTS / f"{name}.md").write_text(md)
    if update_readme:
        README.write_text(_replace(README.read_text(), START, END, md))
    print(md)
