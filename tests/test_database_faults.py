"""Database faults under a real gunicorn: the service talks to PostgreSQL through a proxy the test cuts.

Whatever the fault, a request gets a 503 problem with Retry-After (never a 500 or a hang), no write is
half-applied, and the same worker process serves again as soon as the database is back.
"""

import pytest
from django.conf import settings
from django.db import connection

from metadatas.models import Metadata
from tests.conftest import metadata_body, token_for
from tests.support.http_calls import request
from tests.support.live_server import Gunicorn, database_url, wait_until_live
from tests.support.pg_sessions import row_locked, wait_until_row_unlocked
from tests.support.tcp_proxy import FaultyProxy

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="database faults are injected through a TCP proxy to PostgreSQL; SQLite has no connection to cut",
    ),
    pytest.mark.django_db(transaction=True),
]

UPDATE_STATEMENT = b'UPDATE "metadatas_metadata"'
INSERT_STATEMENT = b'INSERT INTO "metadatas_metadata"'


@pytest.fixture
def proxy():
    settings_dict = connection.settings_dict
    faulty = FaultyProxy((settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432)))
    yield faulty
    faulty.close()


@pytest.fixture
def server(proxy, tenant):
    """One worker (so the same process must recover) keeping its connection between requests."""
    database = database_url(host="127.0.0.1", port=proxy.port)
    env = {"DATABASE_CONN_MAX_AGE": "60", "DATABASE_CONNECT_TIMEOUT": "3"}
    with Gunicorn(database, workers=1, env=env) as running:
        wait_until_live(running)  # its worker forked and serving, so the tests can note its pid
        yield running


@pytest.fixture
def token(tenant):
    return token_for(tenant.uuid)


def assert_unavailable(answer):
    status, headers, problem = answer
    assert status == 503
    assert headers["Content-Type"] == "application/problem+json; charset=utf-8"
    assert int(headers["Retry-After"]) > 0
    assert problem["type"] == "/problems/service_unavailable"
    assert "Traceback" not in problem["detail"] and "SELECT" not in problem["detail"]


@pytest.mark.e2e
def test_a_connection_dropped_between_requests_is_replaced_without_an_error(server, proxy, token, make_metadata):
    make_metadata()
    assert request(f"{server.url}/metadatas", token=token)[0] == 200

    proxy.cut()

    status, _, items = request(f"{server.url}/metadatas", token=token)
    assert (status, len(items)) == (200, 1)


@pytest.mark.e2e
def test_while_the_database_is_down_reads_and_writes_get_503_and_the_same_worker_serves_when_it_is_back(
    server, proxy, token, make_metadata
):
    metadata = make_metadata()
    workers = server.worker_pids()
    proxy.go_down()

    assert_unavailable(request(f"{server.url}/metadatas", token=token))
    assert_unavailable(request(f"{server.url}/metadatas/{metadata.uuid}", token=token))
    assert_unavailable(request(f"{server.url}/metadatas", "POST", token=token, body=metadata_body()))

    proxy.come_back()

    assert request(f"{server.url}/metadatas/{metadata.uuid}", token=token)[0] == 200
    assert request(f"{server.url}/metadatas", "POST", token=token, body=metadata_body())[0] == 201
    assert server.worker_pids() == workers


@pytest.mark.e2e
def test_the_service_starts_while_the_database_is_down_and_serves_once_it_is_up(proxy, tenant, token):
    proxy.go_down()
    database = database_url(host="127.0.0.1", port=proxy.port)
    with Gunicorn(database, workers=1, env={"DATABASE_CONNECT_TIMEOUT": "3"}) as server:
        assert_unavailable(request(f"{server.url}/metadatas", token=token))
        proxy.come_back()
        assert request(f"{server.url}/metadatas", token=token)[0] == 200


@pytest.mark.e2e
def test_an_update_cut_before_it_reaches_the_database_changes_nothing(server, proxy, token, make_metadata):
    metadata = make_metadata()
    item = f"{server.url}/metadatas/{metadata.uuid}"
    fired = proxy.cut_on(UPDATE_STATEMENT, forward_first=False)

    assert_unavailable(request(item, "PUT", token=token, body={"owner": "Changed", "data": [1], "version": 1}))
    assert fired.is_set()
    stored = Metadata.objects.get(pk=metadata.pk)
    assert (stored.owner, stored.data, stored.version) == ("BusinessUnit", {}, 1)

    status, _, updated = request(item, "PUT", token=token, body={"owner": "Changed", "data": [1], "version": 1})
    assert (status, updated["version"]) == (200, 2)


@pytest.mark.e2e
def test_an_update_cut_before_its_commit_is_rolled_back_whole(server, proxy, token, make_metadata):
    metadata = make_metadata()
    item = f"{server.url}/metadatas/{metadata.uuid}"
    fired = proxy.cut_on(UPDATE_STATEMENT, forward_first=True)

    body = {"owner": "Changed", "title": {"en": "New title"}, "data": [1], "version": 1}
    assert_unavailable(request(item, "PUT", token=token, body=body))
    assert fired.is_set()

    wait_until_row_unlocked(metadata.pk)
    stored = Metadata.objects.get(pk=metadata.pk)
    assert (stored.owner, stored.title, stored.data, stored.version) == ("BusinessUnit", metadata.title, {}, 1)
    assert request(item, token=token)[2]["version"] == 1


@pytest.mark.e2e
def test_an_update_whose_commit_answer_is_lost_is_applied_whole_and_a_retry_is_told_it_is_stale(
    server, proxy, token, make_metadata
):
    metadata = make_metadata()
    item = f"{server.url}/metadatas/{metadata.uuid}"
    fired = proxy.cut_on(b"COMMIT", forward_first=True)

    body = {"owner": "Changed", "title": {"en": "New title"}, "data": [1], "version": 1}
    assert_unavailable(request(item, "PUT", token=token, body=body))
    assert fired.is_set()

    wait_until_row_unlocked(metadata.pk)  # PostgreSQL may still be running the COMMIT it received
    stored = Metadata.objects.get(pk=metadata.pk)
    assert (stored.owner, stored.title, stored.data, stored.version) == ("Changed", {"en": "New title"}, [1], 2)
    assert stored.title_search == "new title"
    status, _, problem = request(item, "PUT", token=token, body=body)
    assert (status, problem["currentVersion"]) == (409, 2)


@pytest.mark.e2e
def test_a_create_cut_mid_request_leaves_no_row_and_succeeds_when_retried(server, proxy, token, tenant):
    fired = proxy.cut_on(INSERT_STATEMENT, forward_first=False)

    assert_unavailable(request(f"{server.url}/metadatas", "POST", token=token, body=metadata_body()))
    assert fired.is_set()
    assert not Metadata.objects.filter(slug="oauth-providers").exists()

    assert request(f"{server.url}/metadatas", "POST", token=token, body=metadata_body())[0] == 201
    assert Metadata.objects.filter(slug="oauth-providers").count() == 1


@pytest.mark.e2e
def test_a_read_cut_mid_request_gets_503_and_the_next_read_is_served(server, proxy, token, make_metadata):
    make_metadata()
    fired = proxy.cut_on(b'FROM "metadatas_metadata"', forward_first=True)

    assert_unavailable(request(f"{server.url}/metadatas", token=token))
    assert fired.is_set()
    assert request(f"{server.url}/metadatas", token=token)[0] == 200


@pytest.mark.e2e
def test_health_ready_follows_the_database(server, proxy):
    assert request(f"{server.url}/health/ready")[0] == 200
    proxy.go_down()
    status, headers, _ = request(f"{server.url}/health/ready")
    assert (status, headers["Content-Type"]) == (503, "application/problem+json; charset=utf-8")
    assert request(f"{server.url}/health/live")[0] == 200
    proxy.come_back()
    assert request(f"{server.url}/health/ready")[0] == 200


@pytest.mark.e2e
def test_a_statement_over_the_timeout_is_cancelled_with_a_503_and_the_worker_serves_on(tenant, token, make_metadata):
    metadata = make_metadata()
    env = {"DATABASE_STATEMENT_TIMEOUT_MS": "300"}
    with Gunicorn(database_url(), workers=1, env=env) as server:
        wait_until_live(server)
        item = f"{server.url}/metadatas/{metadata.uuid}"
        workers = server.worker_pids()
        with row_locked(metadata.pk):  # the service's UPDATE waits behind this lock until its timeout
            status, headers, problem = request(item, "PUT", token=token, body={"owner": "Slow", "version": 1})

        assert (status, problem["type"]) == (503, "/problems/database_timeout")
        assert int(headers["Retry-After"]) > 0
        assert Metadata.objects.get(pk=metadata.pk).version == 1
        status, _, updated = request(item, "PUT", token=token, body={"owner": "Slow", "version": 1})
        assert (status, updated["version"]) == (200, 2)
        assert server.worker_pids() == workers
