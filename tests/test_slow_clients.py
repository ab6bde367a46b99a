"""Slow clients under the real gunicorn set-up (gunicorn.conf.py): they cannot take the service away from others.

A client that sends its headers with ``Content-Length: 1000`` and never the body holds its connection
until gunicorn's timeout. With sync workers four of them held every worker and /health/live stopped
answering; under gevent each is one waiting greenlet.
"""

import socket
import time
import urllib.request

import pytest

from tests.conftest import token_for
from tests.support.live_server import Gunicorn, database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]
HEADERS_WITHOUT_BODY = (
    b"POST /metadatas HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Authorization: Bearer %s\r\nContent-Length: 1000\r\n\r\n"
)


@pytest.fixture
def server(transactional_db):
    with Gunicorn(database_url(), workers=2, env={"DATABASE_CONN_MAX_AGE": "0"}) as running:
        urllib.request.urlopen(f"{running.url}/health/live", timeout=30).close()
        yield running


def open_slow_clients(server, count, token=b"x"):
    clients = []
    for _ in range(count):
        client = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        client.sendall(HEADERS_WITHOUT_BODY % token)
        clients.append(client)
    time.sleep(0.5)  # accepted, and waiting for the body
    return clients


def seconds_to_answer(url):
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
    return time.monotonic() - started


def test_four_clients_that_never_send_their_body_leave_health_live_answering(server):
    clients = open_slow_clients(server, 4)
    try:
        assert seconds_to_answer(f"{server.url}/health/live") < 1
    finally:
        for client in clients:
            client.close()


def test_with_fifty_slow_clients_open_an_ordinary_read_is_answered_within_a_second(server, tenant):
    token = token_for(tenant.uuid)
    clients = open_slow_clients(server, 50, token.encode())
    try:
        request = urllib.request.Request(f"{server.url}/metadatas", headers={"Authorization": f"Bearer {token}"})
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
        assert time.monotonic() - started < 1
        assert seconds_to_answer(f"{server.url}/health/live") < 1
    finally:
        for client in clients:
            client.close()
