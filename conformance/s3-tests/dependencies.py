"""Prints the Python modules s3-tests needs that this Python lacks; exits 1 when any is missing."""
import importlib
import sys

# requirements.txt's, as Debian packages them (python3-NAME), and pytest-timeout for the runner.
MODULES = ["pytest", "pytest_timeout", "boto3", "botocore", "munch", "gevent", "isodate", "requests",
           "pytz", "httplib2", "lxml", "yaml", "dateutil"]

missing = []
for name in MODULES:
    try:
        importlib.import_module(name)
    except ImportError:
        missing.append(name)
print(" ".join(missing))
sys.exit(1 if missing else 0)
