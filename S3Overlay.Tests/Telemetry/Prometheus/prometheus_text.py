"""Parses a Prometheus exposition with the Prometheus project's own Python parsers (Debian's
python3-prometheus-client): `text` for the classic text format, `openmetrics` for OpenMetrics
(the strict one, which refuses a body without its `# EOF`). Prints what it read as JSON:
{"families": [{"name", "type", "samples": [{"name", "labels", "value"}]}]}.
A body the parser refuses is an error (exit 1, the parser's message on stderr)."""
import json
import math
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics_families
from prometheus_client.parser import text_string_to_metric_families as text_families


def value(v):
    # JSON has no infinities or NaN: those go as text ("inf", "nan").
    return v if math.isfinite(v) else str(v)


def main(path, form):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    parse = openmetrics_families if form == "openmetrics" else text_families
    families = [
        {
            "name": family.name,
            "type": family.type,
            "samples": [{"name": s.name, "labels": s.labels, "value": value(s.value)} for s in family.samples],
        }
        for family in parse(text)
    ]
    json.dump({"families": families}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
