"""The aws CLI for many commands in one process (AwsCliShell.cs drives it).

Each command runs exactly what /usr/bin/aws runs (Debian's awscli:
awscli.clidriver.AWSCLIEntryPoint().main(arguments)), with the environment, working folder and
arguments the test gives, and an empty standard input. Only the start is shared: Python and
botocore cost about 1.3 s of CPU to start, and the suite runs the CLI dozens of times.

Protocol: one JSON line per command on stdin, {"args": [...], "env": {...}, "cwd": "..."}; one
JSON line per answer on stdout, {"exitCode": N, "stdout": base64, "stderr": base64}.
"""
import base64
import io
import json
import os
import sys
import traceback

# The protocol keeps the real stdin and stdout; whatever else writes to file descriptors 0 and 1
# (a pager, a child process) reads nothing and writes nowhere, as with a closed stdin.
requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
null = os.open(os.devnull, os.O_RDWR)
os.dup2(null, 0)
os.dup2(null, 1)

before = dict(os.environ)
import awscli.clidriver  # noqa: E402  (as /usr/bin/aws: imported once the process is set up)

# What importing awscli put into the environment (AWS_DATA_PATH: where its own models are), which
# every command's environment must keep, as each start of /usr/bin/aws would set it again.
set_by_import = {k: v for k, v in os.environ.items() if before.get(k) != v}


def run(request):
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ.update(set_by_import)
    os.chdir(request["cwd"])
    out, err = io.BytesIO(), io.BytesIO()
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(err, encoding="utf-8", errors="replace", write_through=True)
    sys.stdin = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    try:
        code = awscli.clidriver.AWSCLIEntryPoint().main(request["args"])
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 255)
    except BaseException:  # what would have ended /usr/bin/aws with a traceback
        traceback.print_exc()
        code = 255
    finally:
        # Read before the wrappers go: dropping one closes what it wraps.
        sys.stdout.flush()
        sys.stderr.flush()
        written = {"stdout": out.getvalue(), "stderr": err.getvalue()}
        sys.stdout, sys.stderr, sys.stdin = sys.__stdout__, sys.__stderr__, sys.__stdin__
    return {"exitCode": code, **{name: base64.b64encode(data).decode() for name, data in written.items()}}


for line in requests:
    answers.write(json.dumps(run(json.loads(line))) + "\n")
    answers.flush()
