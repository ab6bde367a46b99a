"""A real streaming replica: the service under gunicorn with its own primary and hot standby.

Where each query ran is read from each server's own statistics (pg_stat_statements), not from the
router: a read counted on the standby really left the primary.
"""

import threading
import time
import urllib.request
import uuid

import pytest

from tests.conftest import PAIR_DATABASE, TENANT_A, metadata_body, token_for
from tests.support.http_calls import request
from tests.support.live_server import Gunicorn, free_port, wait_until_live
from tests.test_health_and_metrics import sample

pytestmark = pytest.mark.e2e
RETRY_SECONDS = 1
METADATA_SELECTS = 'SELECT%%FROM "metadatas_metadata"%%'


@pytest.fixture(scope="module")
def service(replica_pair):
    """Two workers reading from the standby, writing to the primary; a failed replica is retried after 1 s."""
    env = {
        "DATABASE_REPLICA_URLS": replica_pair.standby.url(PAIR_DATABASE),
        "DATABASE_REPLICA_RETRY_SECONDS": str(RETRY_SECONDS),
        "DATABASE_CONN_MAX_AGE": "60",
        "THROTTLE_RATE_TENANT": "off",
        "THROTTLE_RATE_TOKEN": "off",
    }
    with Gunicorn(replica_pair.primary.url(PAIR_DATABASE), workers=2, env=env) as server:
        wait_until_live(server)
        yield server


@pytest.fixture(scope="module")
def token():
    return token_for(TENANT_A)


def statements(cluster, pattern):
    """How many statements matching ``pattern`` (SQL LIKE) this server ran in the service's database, the
    executions of a prepared one (the hot reads', metadatas/compiled_lookups.py) counted under its PREPARE."""
    rows = cluster.query(
        "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid"
        " WHERE d.datname = %s AND (s.query LIKE %s OR s.query LIKE 'PREPARE %% AS ' || %s)",
        (PAIR_DATABASE, pattern.replace("%%", "%"), pattern.replace("%%", "%")),
        database=PAIR_DATABASE,
    )
    return int(rows[0][0])


def created(service, token, pair, **overrides):
    """A new resource, written through the API and replayed on the standby; its URL."""
    overrides.setdefault("slug", f"resource-{uuid.uuid4().hex[:12]}")
    status, _, body = request(f"{service.url}/metadatas", "POST", token=token, body=metadata_body(**overrides))
    assert status == 201, body
    pair.wait_until_replayed()
    return f"{service.url}/metadatas/{body['uuid']}"


def pin_cookie(headers):
    cookie = headers["Set-Cookie"].split(";")[0]
    assert cookie.startswith("read_primary=")
    return cookie


def test_list_and_item_reads_are_served_by_the_standby_not_the_primary(service, replica_pair, token):
    item = created(service, token, replica_pair, slug="served-by-standby")
    on_standby = statements(replica_pair.standby, METADATA_SELECTS)
    on_primary = statements(replica_pair.primary, METADATA_SELECTS)

    assert request(f"{service.url}/metadatas?slug[]=served-by-standby", token=token)[0] == 200
    assert request(item, token=token)[0] == 200

    assert statements(replica_pair.standby, METADATA_SELECTS) >= on_standby + 2
    assert statements(replica_pair.primary, METADATA_SELECTS) == on_primary


def test_writes_run_on_the_primary_and_never_on_the_standby(service, replica_pair, token):
    item = created(service, token, replica_pair, slug="written-on-primary")
    assert request(item, "PUT", token=token, body={"type": "changed", "version": 1})[0] == 200
    assert request(item, "DELETE", token=token)[0] == 204  # a soft delete: an UPDATE
    assert request(f"{item}?purge=true", "DELETE", token=token)[0] == 204  # the erasure: a DELETE
    replica_pair.wait_until_replayed()

    # A write may be a CTE of a larger statement (WITH inserted AS (INSERT ...) ...), so anywhere in it.
    table = '"metadatas_metadata"'
    for write in (f"INSERT INTO {table}", f"UPDATE {table}", f"DELETE FROM {table}"):
        assert statements(replica_pair.primary, f"%%{write}%%") >= 1
        assert statements(replica_pair.standby, f"%%{write}%%") == 0


def test_a_writer_reads_its_own_writes_while_replay_is_paused_and_others_read_the_standby(service, replica_pair, token):
    standby = replica_pair.standby
    standby.query("SELECT pg_wal_replay_pause()")
    try:
        wait_until(lambda: standby.query("SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused")
        body = metadata_body(slug="paused-replay")
        status, headers, body = request(f"{service.url}/metadatas", "POST", token=token, body=body)
        assert status == 201
        item, cookie = f"{service.url}/metadatas/{body['uuid']}", pin_cookie(headers)

        assert request(item, token=token, headers={"Cookie": cookie})[0] == 200
        status, headers, _ = request(item, "PUT", token=token, body={"type": "v2", "version": 1})
        assert status == 200
        assert request(item, token=token, headers={"Cookie": pin_cookie(headers)})[2]["version"] == 2
        assert request(item, token=token)[0] == 404  # another client, on the paused standby: not there yet
    finally:
        standby.query("SELECT pg_wal_replay_resume()")
    replica_pair.wait_until_replayed()
    assert request(item, token=token)[2]["version"] == 2


def test_with_the_standby_stopped_reads_go_to_the_primary_without_a_failed_request_and_come_back(
    service, replica_pair, token
):
    item = created(service, token, replica_pair, slug="through-an-outage")
    statuses, stop = [], threading.Event()

    def read_in_a_loop():
        while not stop.is_set():
            statuses.append(request(item, token=token)[0])

    reader = threading.Thread(target=read_in_a_loop)
    reader.start()
    try:
        wait_until(lambda: len(statuses) >= 5)
        replica_pair.standby.stop()
        on_primary = statements(replica_pair.primary, METADATA_SELECTS)
        wait_until(lambda: statements(replica_pair.primary, METADATA_SELECTS) >= on_primary + 5)
        status, _, ready = request(f"{service.url}/health/ready")
        assert (status, ready["status"], ready["databases"]["replica1"]) == (200, "degraded", {"status": "unavailable"})

        replica_pair.standby.start()
        on_standby = statements(replica_pair.standby, METADATA_SELECTS)
        wait_until(lambda: statements(replica_pair.standby, METADATA_SELECTS) >= on_standby + 5, seconds=20)
    finally:
        stop.set()
        reader.join(timeout=30)

    assert len(statuses) > 10
    assert set(statuses) == {200}


def test_ready_reports_the_primary_and_each_replica_with_its_lag(service):
    status, headers, ready = request(f"{service.url}/health/ready")

    assert (status, headers["Cache-Control"]) == (200, "no-store")
    assert (ready["status"], ready["databases"]["default"]) == ("ok", {"status": "ok"})
    assert ready["databases"]["replica1"]["status"] == "ok"
    assert 0 <= ready["databases"]["replica1"]["replayLagSeconds"] < 5


def test_metrics_time_the_queries_of_the_primary_and_of_the_replica(service, replica_pair, token):
    item = created(service, token, replica_pair)
    request(item, token=token)

    text = request_text(f"{service.url}/metrics")
    assert sample(text, "db_query_duration_seconds_count", alias="default") > 0
    assert sample(text, "db_query_duration_seconds_count", alias="replica1") > 0


def test_a_replica_url_that_is_a_second_primary_is_refused_at_start_up(replica_pair):
    primary = replica_pair.primary.url(PAIR_DATABASE)

    exit_code, log = exit_of_a_start(primary, {"DATABASE_REPLICA_URLS": primary})

    assert exit_code != 0
    assert "DATABASE_REPLICA_URLS: replica1" in log and "is not a standby" in log


def test_a_replica_that_does_not_answer_at_start_up_leaves_reads_on_the_primary(replica_pair, token):
    nowhere = f"postgres://postgres@127.0.0.1:{free_port()}/{PAIR_DATABASE}"
    env = {"DATABASE_REPLICA_URLS": nowhere, "DATABASE_CONNECT_TIMEOUT": "2"}
    with Gunicorn(replica_pair.primary.url(PAIR_DATABASE), workers=1, env=env) as server:
        wait_until_live(server)
        on_primary = statements(replica_pair.primary, METADATA_SELECTS)

        assert request(f"{server.url}/metadatas", token=token)[0] == 200
        status, _, ready = request(f"{server.url}/health/ready")

        assert statements(replica_pair.primary, METADATA_SELECTS) > on_primary
        assert (status, ready["status"], ready["databases"]["replica1"]) == (200, "degraded", {"status": "unavailable"})
        assert "replica replica1 unavailable" in server.log_text()


# --- helpers ------------------------------------------------------------------------------


def wait_until(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s")
        time.sleep(0.05)


def exit_of_a_start(database, env):
    """Start gunicorn and wait for it to give up: ``(exit code, log)``."""
    try:
        server = Gunicorn(database, workers=1, env=env)
    except RuntimeError as exc:  # it died before its port opened
        return 1, str(exc)
    try:
        return server.process.wait(timeout=60), server.log_text()
    finally:
        server.stop()


def request_text(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()
