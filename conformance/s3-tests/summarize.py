"""Compares two runs of run.sh (RGW's and the overlay's outcomes) family by family.

    summarize.py RGW.jsonl OVERLAY.jsonl > results.md
    summarize.py --expectations OVERLAY.jsonl > expected-passing.txt
"""
import collections
import json
import pathlib
import re
import subprocess
import sys

from families import FAMILIES

HERE = pathlib.Path(__file__).resolve().parent
TITLES = {"object_lock": "Object lock", "lifecycle": "Lifecycle", "encryption": "Encryption (SSE-C, SSE-KMS, SSE-S3, bucket default)",
          "versioning": "Versioning", "tagging": "Tagging", "ownership": "Ownership and ACLs",
          "usual": "Usual scope (everything else)"}


def read(path):
    with open(path, encoding="utf-8") as f:
        return {line["test"]: line for line in (json.loads(text) for text in f if text.strip())}


def upstream_commit():
    for line in (HERE / "UPSTREAM").read_text().splitlines():
        if line.startswith("commit: "):
            return line.split(": ", 1)[1]
    return "?"


def command(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True, cwd=HERE).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def rgw_version():
    """16.2.15, of radosgw's "ceph version 16.2.15 (…) pacific (stable)"."""
    words = command("radosgw", "--version").split()
    return words[2] if len(words) > 2 else "RGW"


def minutes(seconds):
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def passed(run, test):
    return run.get(test, {}).get("outcome") == "passed"


CLIENT_ERROR = re.compile(r"^botocore\.exceptions\.ClientError: An error occurred \((\w+)\) when calling the (\w+) operation: ?(.*)$")


def short(error):
    """botocore's sentence as `Code` from Operation (and S3's message, unless it only says NotImplemented)."""
    match = CLIENT_ERROR.match(error)
    if not match:
        return error
    code, operation, message = match.groups()
    return f"`{code}` from {operation}" + ("" if code == "NotImplemented" or not message else f": {message}")


def comparison(rgw, here):
    by_family = collections.defaultdict(list)
    for test, line in here.items():
        by_family[line["family"]].append(test)
    for test, line in rgw.items():
        if test not in here:
            by_family[line["family"]].append(test)

    out = ["# ceph/s3-tests: Ceph RGW 16.2 and the overlay, family by family", "",
           f"ceph/s3-tests at `{upstream_commit()}` (`upstream/`, see `UPSTREAM`): `test_s3.py` and `test_headers.py`, "
           f"run by `run.sh` against a throw-away Ceph {rgw_version()} cluster "
           f"(`build/rgw/rgw-cluster.sh`, lifecycle days of 10 s, SSE-C over HTTP, SSE-KMS with its testing keys) and the "
           f"overlay's Release build with its embedded store, at `{command('git', 'rev-parse', '--short', 'HEAD')}`. "
           "A test passes when pytest says it passed (its clean-up included); `families.py` says which family "
           "each test is in. Times are the wall time of the family's tests on each server, set-up and clean-up included "
           "(RGW's lifecycle tests wait for its lifecycle worker).", "",
           "| Family | Tests | Passed on RGW | Passed here | RGW passes, we fail | We pass, RGW fails | Time on RGW | Time here |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    totals = collections.Counter()
    gaps = {}
    for family in FAMILIES:
        tests = sorted(by_family.get(family, []))
        on_rgw = [t for t in tests if passed(rgw, t)]
        on_here = [t for t in tests if passed(here, t)]
        gap = [t for t in on_rgw if not passed(here, t)]
        extra = [t for t in on_here if not passed(rgw, t)]
        rgw_time = sum(rgw.get(t, {}).get("seconds", 0) for t in tests)
        here_time = sum(here.get(t, {}).get("seconds", 0) for t in tests)
        gaps[family] = gap
        row = dict(tests=len(tests), rgw=len(on_rgw), here=len(on_here), gap=len(gap), extra=len(extra),
                   rgw_time=rgw_time, here_time=here_time)
        totals.update(row)
        out.append(f"| {TITLES[family]} | {row['tests']} | {row['rgw']} | {row['here']} | {row['gap']} | {row['extra']} "
                   f"| {minutes(rgw_time)} | {minutes(here_time)} |")
    out.append(f"| **All** | {totals['tests']} | {totals['rgw']} | {totals['here']} | {totals['gap']} | {totals['extra']} "
               f"| {minutes(totals['rgw_time'])} | {minutes(totals['here_time'])} |")
    out += ["", "## Tests RGW passes that the overlay fails", "",
            "With the first failure the overlay's run met (its phase when not the test itself).", ""]
    for family in FAMILIES:
        out.append(f"### {TITLES[family]} ({len(gaps[family])})")
        out.append("")
        for test in gaps[family]:
            line = here.get(test, {"error": "not run"})
            where = "" if line.get("failed_in", "call") == "call" else f" (in {line['failed_in']})"
            error = short(line.get("error", "")) or line.get("outcome", "")
            out.append(f"- `{test}`{where}: {error}".rstrip(": "))
        out.append("")
    return "\n".join(out)


def expectations(here):
    lines = ["# Tests of ceph/s3-tests the overlay passes, by family (summarize.py --expectations): what",
             "# S3Overlay.Tests/Conformance asserts still passes. Regenerate from a run.sh run as features land."]
    for family in FAMILIES[:-1]:
        lines += sorted(f"{family} {line['id']}" for line in here.values() if line["family"] == family and line["outcome"] == "passed")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if sys.argv[1:2] == ["--expectations"] and len(sys.argv) == 3:
        sys.stdout.write(expectations(read(sys.argv[2])))
    elif len(sys.argv) == 3:
        print(comparison(read(sys.argv[1]), read(sys.argv[2])))
    else:
        sys.exit(__doc__)
