#!/usr/bin/env python3
"""Prints each failed test of the given .trx files: its name, message, the top of its stack and
the end of its output (the proxy's log lines). test.sh prints this just before its last line,
because a CI log is often read only from its end, where the console logger's failure lines are
long gone behind the rest of the run."""
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def excerpt(text, lines, first=False):
    parts = [line.rstrip() for line in (text or "").strip("\r\n").splitlines()]
    return parts[:lines] if first else parts[-lines:]


for path in sys.argv[1:]:
    try:
        results = list(ET.parse(path).getroot().iter(NS + "UnitTestResult"))
    except (OSError, ET.ParseError) as error:
        print(f"{path}: not readable ({error})")
        continue
    for result in results:
        if result.get("outcome") != "Failed":
            continue
        print(f"FAILED {result.get('testName')} ({result.get('duration')})")
        output = result.find(NS + "Output")
        if output is None:
            continue
        for line in excerpt(output.findtext(f"{NS}ErrorInfo/{NS}Message"), 20, first=True):
            print(f"  {line}")
        for line in excerpt(output.findtext(f"{NS}ErrorInfo/{NS}StackTrace"), 12, first=True):
            print(f"  {line}")
        logged = excerpt(output.findtext(NS + "StdOut"), 40)
        if logged:
            print("  output, last lines:")
            for line in logged:
                print(f"    {line}")
