"""The OpenAPI document tells the truth: schemathesis drives the REST API under gunicorn and checks every answer.

Bounded and reproducible: a fixed seed, a fixed number of examples per operation, one worker. Checks:
all of schemathesis's, except that a schema-valid write must succeed (see tests/schemathesis.toml).
Any 5xx, undocumented status, header, media type or body shape fails the test with schemathesis's report.
"""

import json
import re
import subprocess
import sys
import urllib.request

import pytest
from django.db import connection

from tests.conftest import token_for
from tests.support.live_server import ROOT, gunicorn, through_pgbouncer
from tests.support.pg_clusters import why_not_available

SEED = 20240305
EXAMPLES_PER_OPERATION = 20
FEED_ROUTES = "^/changes"


@pytest.fixture
def server(request, transactional_db, tenant):
    # Through pgbouncer in transaction pooling mode where it is installed (the strictest way to reach the
    # database: no session state survives a transaction), so every operation is also proven to work there.
    reason = why_not_available(pgbouncer=True) or (connection.vendor != "postgresql" and "not on PostgreSQL")
    if reason:
        print(f"conformance run straight on PostgreSQL, not through pgbouncer: {reason}")
    env = {} if reason else through_pgbouncer(request.getfixturevalue("pgbouncer"))
    # Password attempts are limited per address (30/min): off, so that schemathesis reaches the login itself.
    with gunicorn(LOG_LEVEL="WARNING", DATABASE_CONN_MAX_AGE="60", THROTTLE_RATE_LOGIN="off", **env) as live:
        yield live


def operations(server):
    with urllib.request.urlopen(f"{server.url}/docs/openapi.json", timeout=10) as response:
        return [(path, method) for path, item in json.load(response)["paths"].items() for method in item]


@pytest.mark.e2e
def test_schemathesis_finds_no_server_error_and_no_answer_the_schema_does_not_describe(server, tenant):
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "--config-file",
        str(ROOT / "tests" / "schemathesis.toml"),
        "run",
        f"{server.url}/docs/openapi.json",
        "--header",
        f"Authorization: Bearer {token_for(tenant.uuid)}",
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--request-timeout",
        "10",
        "--no-color",
        # The change feed waits (up to 60 s) or streams without end: longer than any request timeout. Its
        # answers are checked in tests/test_changes*.py; every other operation is driven here.
        "--exclude-path-regex",
        FEED_ROUTES,
    ]

    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)

    report = run.stdout[-12000:] + run.stderr[-3000:]
    assert run.returncode == 0, report
    selected, total = re.search(r"Operations:\s+(\d+) selected / (\d+) total", run.stdout).groups()
    everything = operations(server)
    assert total == str(len(everything)), report
    assert selected == str(len([path for path, _ in everything if not re.match(FEED_ROUTES, path)])), report
