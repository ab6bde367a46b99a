"""End to end over real HTTP: the service under gunicorn, against the test database."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import metadata_body, token_for

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.fixture
def server(transactional_db):
    """A gunicorn serving the app on a free port; yields its base URL."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "DATABASE_CONN_MAX_AGE": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "metadata_service.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail(f"gunicorn did not start: {process.stderr.read().decode()[-2000:]}")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)


def call(method, url, token, body=None, **headers):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name.replace("_", "-"), value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def test_a_resource_lives_through_create_read_update_delete_over_http(server, tenant):
    token = token_for(tenant.uuid)

    status, headers, created = call("POST", f"{server}/metadatas", token, metadata_body())
    assert status == 201
    item = f"{server}/metadatas/{created['uuid']}"
    assert headers["Location"] == item

    status, headers, _ = call("GET", item, token)
    assert (status, headers["ETag"]) == (200, '"1"')

    status, _, updated = call("PUT", item, token, {"data": ["Github", "Yahoo"], "version": 1})
    assert (status, updated["version"], updated["data"]) == (200, 2, ["Github", "Yahoo"])

    status, _, problem = call("PUT", item, token, {"data": [], "version": 1})
    assert (status, problem["currentVersion"]) == (409, 2)

    status, headers, listed = call("GET", f"{server}/metadatas?slug[]=oauth-providers", token)
    assert (status, headers["X-Total-Count"], len(listed)) == (200, "1", 1)

    assert call("DELETE", item, token)[0] == 204
    assert call("GET", item, token)[0] == 404


def test_a_request_without_a_token_is_a_401_problem_over_http(server):
    request = urllib.request.Request(f"{server}/metadatas")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)

    assert raised.value.code == 401
    assert raised.value.headers["Content-Type"] == "application/problem+json; charset=utf-8"
    assert raised.value.headers["WWW-Authenticate"].startswith("Bearer")
