"""Idempotency keys as they fail in production, under a real gunicorn (contract automation.md).

A client whose connection drops once the request is sent, and a worker killed mid-request: the client
retries with the same key and, either way, exactly one resource exists afterwards.
"""

import json
import os
import signal
import socket
import threading
import time
from contextlib import closing

import psycopg2
import pytest
from django.conf import settings

from metadatas.models import Metadata
from tenants.counters import TenantCounter
from tests.conftest import metadata_body, token_for
from tests.support.http_calls import request
from tests.support.live_server import Gunicorn, database_url, wait_until_live
from tests.support.pg_sessions import libpq_settings, wait_until_a_session_waits_for_a_lock

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="the advisory lock and the killed backend's rollback are PostgreSQL's",
    ),
    pytest.mark.django_db(transaction=True),
]

KEY = "deploy-42-resource-7"


@pytest.fixture
def server(tenant):
    with Gunicorn(database_url(), workers=1, env={"DATABASE_CONN_MAX_AGE": "0"}) as running:
        wait_until_live(running)
        yield running


def retry_until_answered(server, token, body, seconds=20):
    """POST with the key as a careful client does: again after each 409 (key in use), as Retry-After says."""
    deadline = time.monotonic() + seconds
    while True:
        status, headers, answer = request(
            f"{server.url}/metadatas", "POST", token=token, body=body, headers={"Idempotency-Key": KEY}
        )
        if status != 409 or time.monotonic() > deadline:
            return status, headers, answer
        time.sleep(int(headers["Retry-After"]))


def send_and_hang_up(server, token, body):
    """Send the whole request, then close the connection before any answer comes."""
    payload = metadata_request(token, body)
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.sendall(payload)
        connection.shutdown(socket.SHUT_WR)


def metadata_request(token, body):
    content = json.dumps(body).encode()
    head = (
        "POST /metadatas HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAccept: application/json\r\n"
        f"Authorization: Bearer {token}\r\nIdempotency-Key: {KEY}\r\nContent-Length: {len(content)}\r\n\r\n"
    )
    return head.encode() + content


def wait_for_rows(count, seconds=20):
    deadline = time.monotonic() + seconds
    while Metadata.objects.count() < count and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_client_that_hangs_up_after_sending_gets_the_stored_answer_on_retry(server, tenant):
    token = token_for(tenant.uuid)
    send_and_hang_up(server, token, metadata_body())
    wait_for_rows(1)  # the server went on and committed

    status, headers, answer = retry_until_answered(server, token, metadata_body())

    assert status == 201
    assert headers["Idempotent-Replayed"] == "true"
    assert answer["uuid"] == str(Metadata.objects.get().uuid)
    assert Metadata.objects.count() == 1


def test_a_worker_killed_mid_request_leaves_nothing_and_the_retry_leaves_exactly_one(server, tenant):
    token = token_for(tenant.uuid)
    TenantCounter.objects.create(tenant=tenant, name="live_resources", value=0)
    with closing(psycopg2.connect(**libpq_settings())) as holder, holder.cursor() as cursor:
        # The create waits behind this lock on the tenant's count, inside its transaction, key claimed.
        cursor.execute("SELECT 1 FROM tenants_tenantcounter WHERE name = 'live_resources' FOR UPDATE")
        first = threading.Thread(target=lambda: swallow(lambda: retry_once(server, token)), daemon=True)
        first.start()
        wait_until_a_session_waits_for_a_lock()
        (worker,) = server.worker_pids()
        os.kill(worker, signal.SIGKILL)
        first.join(timeout=30)
        holder.rollback()
    wait_until_live(server)

    status, headers, answer = retry_until_answered(server, token, metadata_body())

    assert status == 201
    assert "Idempotent-Replayed" not in headers  # the killed run stored nothing: the retry ran the create
    assert Metadata.objects.count() == 1


def retry_once(server, token):
    return request(
        f"{server.url}/metadatas", "POST", token=token, body=metadata_body(), headers={"Idempotency-Key": KEY}
    )


def swallow(call):
    try:
        call()
    except OSError:  # the worker died with the request in flight: the connection is reset
        pass
