"""Runs Python scripts as forks of one process that has imported boto3 once (PythonForks.cs).

Each script is a child of its own, forked from this process before it has made any session or
client: its argv, environment, folder and outputs are the request's, and it ends with its own exit
code, as `python3 script.py` would. Only the interpreter's start and the imports are shared: about
0.4 s of CPU a script, where the suite runs a hundred of them.

Protocol, over the Unix socket named by argv[1]: a request is one JSON line
({"argv", "env", "cwd", "stdout", "stderr"}: the outputs are files the child writes); the answer is
the child's pid on a line as soon as it is forked, then its exit code on a line when it ends
(128 + N when signal N ended it). Ends when its standard input closes (the test process ended).
"""
import atexit
import json
import os
import runpy
import select
import socket
import sys
import traceback

import boto3  # noqa: F401 -- the import every boto3 script makes, made once before the forks
import botocore.session  # noqa: F401


def run_child(request):
    """In the fork: becomes `python3 argv...` in the request's folder and environment, then exits."""
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.close(stdin)
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, fd)
        os.close(out)
    sys.argv = list(request["argv"])
    sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
    code = 0
    try:
        runpy.run_path(sys.argv[0], run_name="__main__")
    except SystemExit as exit_:
        if exit_.code is None:
            code = 0
        elif isinstance(exit_.code, int):
            code = exit_.code
        else:
            print(exit_.code, file=sys.stderr)
            code = 1
    except BaseException:  # noqa: BLE001 -- as the interpreter reports an uncaught exception
        traceback.print_exc()
        code = 1
    try:
        atexit._run_exitfuncs()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code & 0xFF)


def read_line(connection):
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            raise EOFError("the request ended before its line did")
        data += chunk
    return json.loads(data)


def main(path):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    waiting = {}  # pid -> the connection its exit code goes to
    print("ready", flush=True)
    while True:
        # Polled: a child's end is noticed within 10 ms (no SIGCHLD handler to race a fork).
        readable, _, _ = select.select([server, sys.stdin], [], [], 0.01)
        if sys.stdin in readable and not sys.stdin.readline():
            return
        if server in readable:
            connection, _ = server.accept()
            try:
                connection.settimeout(10)
                request = read_line(connection)
            except (OSError, ValueError, EOFError) as error:
                print(f"python_forks: a bad request: {error}", file=sys.stderr, flush=True)
                connection.close()
                continue
            pid = os.fork()
            if pid == 0:
                server.close()
                connection.close()
                for other in waiting.values():
                    other.close()
                run_child(request)
            connection.sendall(f"{pid}\n".encode())
            waiting[pid] = connection
        while waiting:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            connection = waiting.pop(pid, None)
            if connection is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            try:
                connection.sendall(f"{code if code >= 0 else 128 - code}\n".encode())
            except OSError:
                pass  # its caller went (a timeout killed the child)
            connection.close()


if __name__ == "__main__":
    main(sys.argv[1])
