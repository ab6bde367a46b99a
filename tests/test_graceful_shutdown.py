"""SIGTERM to gunicorn under load: every request let in is answered, every acknowledged write is stored."""

import json
import select
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from metadatas.models import Metadata
from tests.conftest import token_for
from tests.support.http_calls import request
from tests.support.live_server import ROOT, Gunicorn, database_url
from tests.support.pg_sessions import row_locked, wait_until_a_session_waits_for_a_lock

pytestmark = pytest.mark.django_db(transaction=True)
WRITERS = 3
WRITER_SECONDS_MAX = 60
WRITES_BEFORE_SIGTERM = 25  # per writer: the load is steady when the signal comes


def start_writer(url, token):
    arguments = [url, token, str(WRITER_SECONDS_MAX), str(WRITES_BEFORE_SIGTERM)]
    command = [sys.executable, "-m", "tests.support.write_loop", *arguments]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def read_line(process, timeout):
    """The next line the process prints, waiting at most ``timeout`` seconds for it."""
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        raise AssertionError(f"no output within {timeout} s")
    return process.stdout.readline().strip()


def wait_for_log(server, text, timeout=30):
    deadline = time.monotonic() + timeout
    while text not in server.log_text():
        if time.monotonic() > deadline:
            raise AssertionError(f"gunicorn never logged {text!r}:\n{server.log_text()[-2000:]}")
        time.sleep(0.05)


@pytest.mark.e2e
def test_sigterm_under_a_write_load_loses_no_acknowledged_write_and_resets_no_request(tenant):
    token = token_for(tenant.uuid)
    with Gunicorn(database_url(), workers=2) as server:
        writers = [start_writer(server.url, token) for _ in range(WRITERS)]
        try:
            assert [read_line(writer, timeout=60) for writer in writers] == ["ready"] * WRITERS
            exit_code = server.terminate(timeout=60)
            summaries = [json.loads(read_line(writer, timeout=WRITER_SECONDS_MAX)) for writer in writers]
        finally:
            for writer in writers:
                writer.kill()
                writer.wait(timeout=10)

    acknowledged = [slug for summary in summaries for slug in summary["acknowledged"]]
    stored = list(Metadata.objects.filter(type="shutdown-test").values_list("slug", flat=True))
    print(f"graceful shutdown: {len(acknowledged)} writes acknowledged, {len(stored)} rows stored")
    assert exit_code == 0
    assert [failure for summary in summaries for failure in summary["in_flight_failures"]] == []
    assert [summary["statuses"] for summary in summaries] == [{}] * WRITERS
    assert [summary["refused"] for summary in summaries] == [1] * WRITERS  # each wrote until the server was gone
    assert sorted(stored) == sorted(acknowledged)


@pytest.mark.e2e
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="holds a row lock from another session to keep a request in flight; SQLite has no row locks",
)
def test_a_request_in_flight_at_sigterm_is_answered_before_the_server_exits(tenant, make_metadata):
    metadata = make_metadata()
    token = token_for(tenant.uuid)
    with Gunicorn(database_url(), workers=1) as server, ThreadPoolExecutor(1) as pool:
        item = f"{server.url}/metadatas/{metadata.uuid}"
        with row_locked(metadata.pk):
            in_flight = pool.submit(request, item, "PUT", token=token, body={"owner": "Late", "version": 1})
            wait_until_a_session_waits_for_a_lock()
            server.process.send_signal(signal.SIGTERM)
            wait_for_log(server, "Graceful stop: no new connections")

        status, _, updated = in_flight.result(timeout=60)
        assert server.process.wait(timeout=60) == 0

    assert (status, updated["version"]) == (200, 2)
    assert Metadata.objects.get(pk=metadata.pk).owner == "Late"
