"""The service behind pgbouncer in transaction pooling mode (the HTTP end-to-end tests also run through it).

pgbouncer going away and coming back mid-load costs clear 503 problems at worst, never a 500 or a
stack trace, and the service serves again on its own once it is back.
"""

import json
import subprocess
import sys
import threading
import time

import pytest

from metadatas.models import Metadata
from tests.conftest import metadata_body, token_for
from tests.support.http_calls import request
from tests.support.live_server import ROOT, Gunicorn, database_url, through_pgbouncer, wait_until_live

PROBLEM = "application/problem+json; charset=utf-8"


@pytest.fixture
def server(pgbouncer, transactional_db, tenant):
    """Two workers keeping their (pgbouncer) connections between requests."""
    env = {**through_pgbouncer(pgbouncer), "DATABASE_CONN_MAX_AGE": "60", "DATABASE_CONNECT_TIMEOUT": "2"}
    with Gunicorn(database_url(), workers=2, env=env) as running:
        wait_until_live(running)
        yield running


class Load:
    """Clients reading, creating and updating in a loop on threads of their own; every answer kept."""

    def __init__(self, server, token, item):
        self.server, self.token, self.item = server, token, item
        self.answers, self.created = [], []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(kind,)) for kind in ("read", "create", "update")]

    def run(self, kind):
        number = 0
        while not self.stop.is_set():
            number += 1
            if kind == "read":
                answer = request(f"{self.server.url}/metadatas", token=self.token)
            elif kind == "create":
                body = metadata_body(slug=f"under-load-{number}")
                answer = request(f"{self.server.url}/metadatas", "POST", token=self.token, body=body)
                if answer[0] == 201:
                    self.created.append(answer[2]["uuid"])
            else:
                answer = request(self.item, token=self.token)
                if answer[0] == 200:
                    body = {"data": [number], "version": answer[2]["version"]}
                    answer = request(self.item, "PATCH", token=self.token, body=body, headers=MERGE)
            self.answers.append(answer)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def statuses(self):
        return {answer[0] for answer in self.answers}


MERGE = {"Content-Type": "application/merge-patch+json"}


@pytest.mark.e2e
def test_pgbouncer_restarted_mid_load_costs_clear_503s_at_worst_and_the_service_recovers(
    server, pgbouncer, tenant, make_metadata
):
    token = token_for(tenant.uuid)
    item = f"{server.url}/metadatas/{make_metadata().uuid}"

    with Load(server, token, item) as load:
        wait_until(lambda: len(load.answers) >= 20)
        pgbouncer.halt()
        time.sleep(0.5)
        pgbouncer.start()
        served_after = len(load.answers)
        wait_until(lambda: len(load.answers) >= served_after + 30)

    assert load.statuses() <= {200, 201, 503}, load.statuses()
    for status, headers, body in load.answers:
        if status == 503:
            assert headers["Content-Type"] == PROBLEM and int(headers["Retry-After"]) > 0
            assert "Traceback" not in json.dumps(body)
    assert {answer[0] for answer in load.answers[-9:]} <= {200, 201}  # served again once it is back
    stored = set(Metadata.objects.filter(tenant=tenant).values_list("uuid", flat=True))
    assert {str(uuid) for uuid in stored} >= set(load.created)  # every 201 was a stored write
    assert "Traceback" not in server.log_text()


def settings_under(**env):
    """The database settings Django derives from ``env`` (read in a process of its own)."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({alias: {'cursors': db.get('DISABLE_SERVER_SIDE_CURSORS', False), "
        "'options': db.get('OPTIONS', {}).get('options', '')} for alias, db in settings.DATABASES.items()}))"
    )
    environment = {"DJANGO_SETTINGS_MODULE": "metadata_service.settings", "PATH": "/usr/bin:/bin", **env}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True)
    return json.loads(done.stdout) if done.returncode == 0 else done.stderr


@pytest.mark.slow
def test_transaction_pooling_turns_off_server_side_cursors_and_session_parameters_but_not_on_the_direct_url():
    databases = settings_under(
        DATABASE_URL="postgres://app@pgbouncer:6432/metadata",
        DATABASE_DIRECT_URL="postgres://app@db:5432/metadata",
        DATABASE_POOL_MODE="transaction",
    )

    assert databases["default"] == {"cursors": True, "options": ""}
    assert databases["direct"] == {"cursors": False, "options": "-c statement_timeout=5000"}


@pytest.mark.slow
def test_replica_sessions_are_read_only():
    databases = settings_under(
        DATABASE_URL="postgres://app@db:5432/metadata", DATABASE_REPLICA_URLS="postgres://app@standby:5432/metadata"
    )

    assert "default_transaction_read_only=on" in databases["replica1"]["options"]
    assert "read_only" not in databases["default"]["options"]


@pytest.mark.slow
def test_an_unknown_pool_mode_is_refused_naming_the_setting():
    error = settings_under(DATABASE_URL="postgres://app@db:5432/metadata", DATABASE_POOL_MODE="statement")

    assert "DATABASE_POOL_MODE must be session or transaction" in error


def wait_until(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s")
        time.sleep(0.05)
