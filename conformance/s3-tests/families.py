"""A pytest plugin that sorts ceph/s3-tests into the feature families the overlay is measured by.

Upstream marks only some families (lifecycle, encryption, tagging, object_ownership); versioning
and object lock have no mark, so names decide those. Every test falls in exactly one family, the
first whose rule matches, so a test that needs two features (a locked object's versions) is
counted once, under the feature it is about. Bucket logging tests mention versions and owners but
are about logging: they stay in the usual scope.

    pytest -p families --family versioning --outcomes=out.jsonl ...

(--outcomes=FILE in one argument: pytest takes a separate argument that names an existing file
for a path to collect tests under, and the tests' ids lose their file.)
"""
import json
import re
import sys
import time

import pytest
from botocore.exceptions import ClientError

# (family, marks, name pattern); the first that matches wins.
RULES = [
    ("usual", {"bucket_logging", "bucket_logging_cleanup"}, None),
    ("object_lock", set(), re.compile(r"object_lock")),
    ("lifecycle", {"lifecycle", "lifecycle_expiration", "lifecycle_transition", "cloud_transition", "cloud_restore"},
     re.compile(r"lifecycle")),
    ("encryption", {"encryption", "sse_s3", "bucket_encryption"}, re.compile(r"sse|encrypt")),
    ("versioning", {"delete_marker"}, re.compile(r"versioning|versioned|version_id|delete_marker")),
    ("tagging", {"tagging"}, re.compile(r"tagging")),
    # ACLs, and who may touch another user's bucket or object (the second user's access).
    ("ownership", {"object_ownership"}, re.compile(r"acl|ownership|_owner|nonowner|not_owned|access_bucket")),
]

FAMILIES = [family for family, _, _ in RULES[1:]] + ["usual"]


def family_of(item):
    marks = {mark.name for mark in item.iter_markers()}
    for family, family_marks, pattern in RULES:
        if marks & family_marks or (pattern is not None and pattern.search(item.name)):
            return family
    return "usual"


def build_clients_once():
    """
    s3-tests makes a new boto3 client for nearly every request (about 3,000 in a run of the 312
    expected to pass), and botocore builds each from nothing: the client's class, a method for each
    of S3's hundred operations, and a parse of S3's endpoint rules. Those are the same for every
    client (the model and rules are the loader's cached data), so each is built once here and
    shared; every client keeps its own configuration, credentials and event handlers, which the
    tests change. Measured on the 312 tests (29 Nov 2026): pytest's CPU 53 s before, 34 s after.
    """
    from botocore import client, regions

    classes = {}
    build_class = client.ClientCreator._create_client_class

    def create_client_class(self, service_name, service_model):
        key = (service_name, service_model.api_version)
        if key not in classes:
            classes[key] = build_class(self, service_name, service_model)
        return classes[key]

    providers = {}
    build_provider = regions.EndpointProvider

    def endpoint_provider(ruleset_data, partition_data):
        # The loader's own dicts, the same objects each time: their identity is the key.
        key = (id(ruleset_data), id(partition_data))
        if key not in providers:
            providers[key] = (build_provider(ruleset_data, partition_data), ruleset_data, partition_data)
        return providers[key][0]

    client.ClientCreator._create_client_class = create_client_class
    regions.EndpointProvider = endpoint_provider


def pytest_addoption(parser):
    group = parser.getgroup("families")
    group.addoption("--family", action="append", default=[], choices=FAMILIES,
                    help="run only this family's tests (may be given more than once)")
    group.addoption("--upstream-cleanup", action="store_true",
                    help="clean up with ListObjectVersions only, as upstream does (see listing_cleanup)")
    group.addoption("--outcomes", default=None, help="append one JSON line per test to this file")


def listing_cleanup(list_versions):
    """
    s3-tests empties every bucket it made, before and after each test, by listing its versions. A
    server without ListObjectVersions (NotImplemented) would fail every test in its clean-up, the
    test's own assertions passed or not; there the clean-up lists objects instead. A server that
    lists versions is cleaned exactly as upstream cleans it.
    """
    def listing(client, bucket, batch_size):
        try:
            yield from list_versions(client, bucket, batch_size)
            return
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") != "NotImplemented":
                raise
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": batch_size}):
            if page.get("Contents"):
                yield [{"Key": o["Key"]} for o in page["Contents"]]
    return listing


def pytest_collection_modifyitems(config, items):
    functional = sys.modules.get("s3tests.functional")
    if functional is not None and not config.getoption("upstream_cleanup"):
        functional.list_versions = listing_cleanup(functional.list_versions)
    wanted = set(config.getoption("family"))
    if not wanted:
        return
    kept, dropped = [], []
    for item in items:
        (kept if family_of(item) in wanted else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


class Outcomes:
    """Each test's family, outcome and wall time (setup, call and teardown: what a run waits for)."""

    def __init__(self, path):
        self._file = open(path, "a", encoding="utf-8")
        self._started = {}
        self._failed = {}
        self._errors = {}
        self._result = self._body = "not run"

    def pytest_runtest_logstart(self, nodeid, location):
        self._started[nodeid] = time.monotonic()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        report.family = family_of(item)

    def pytest_runtest_logreport(self, report):
        # A failure in any phase fails the test; a skip in setup (or a call that skipped) skips it.
        if report.failed:
            self._failed.setdefault(report.nodeid, report.when)
            crash = getattr(report.longrepr, "reprcrash", None)
            if crash is not None:
                self._errors.setdefault(report.nodeid, crash.message.splitlines()[0][:200] if crash.message else "")
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self._result = "passed" if report.passed else ("skipped" if report.skipped else "failed")
            self._body = self._result if report.when == "call" else "not run"
        if report.when != "teardown":
            return
        result = "failed" if report.nodeid in self._failed else self._result
        seconds = time.monotonic() - self._started.pop(report.nodeid, time.monotonic())
        line = {"test": report.nodeid.split("::")[-1], "id": report.nodeid, "family": getattr(report, "family", "usual"),
                "outcome": result, "seconds": round(seconds, 2)}
        if report.nodeid in self._failed:
            # A test whose body passed but whose clean-up failed (s3-tests empties its buckets
            # with ListObjectVersions) is a failure, as pytest counts it; what the body did is kept.
            line["failed_in"] = self._failed.pop(report.nodeid)
            line["body"] = self._body
            line["error"] = self._errors.pop(report.nodeid, "")
        self._file.write(json.dumps(line) + "\n")
        self._file.flush()
        self._result = self._body = "not run"

    def pytest_unconfigure(self, config):
        self._file.close()


def pytest_configure(config):
    build_clients_once()
    path = config.getoption("outcomes")
    if path:
        config.pluginmanager.register(Outcomes(path), "family-outcomes")
