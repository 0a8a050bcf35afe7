"""Reads every document of a YAML file with PyYAML's safe loader (Debian's python3-yaml) and
prints them as a JSON list. A file PyYAML refuses is an error (exit 1, its message on stderr)."""
import json
import sys

import yaml

with open(sys.argv[1], encoding="utf-8") as f:
    json.dump([d for d in yaml.safe_load_all(f) if d is not None], sys.stdout)
