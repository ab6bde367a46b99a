"""The change feed under a real gunicorn (gevent workers): long-poll woken by LISTEN/NOTIFY, Server-Sent
Events with resume and heartbeats, a departed client freed, and the order of events under concurrent writers."""

import http.client
import json
import re
import signal
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import metadata_body, token_for
from tests.support.http_calls import call
from tests.support.live_server import gunicorn

pytestmark = pytest.mark.e2e


@pytest.fixture
def live(transactional_db, tenant):
    """A gunicorn with 1 s heartbeats, and a System token of tenant A."""
    with gunicorn(workers=2, CHANGES_HEARTBEAT_SECONDS="1") as server:
        yield server, token_for(tenant.uuid)


def create(server, token, slug, **fields):
    status, _, body = call("POST", f"{server.url}/metadatas", token, metadata_body(slug=slug, **fields))
    assert status == 201, body
    return body


class EventStream:
    """A raw SSE connection to /changes/stream: its lines, read as they arrive."""

    def __init__(self, server, token, path="/changes/stream", **headers):
        parts = urlsplit(server.url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        headers = {"Accept": "text/event-stream", "Authorization": f"Bearer {token}", **headers}
        self.connection.request("GET", path, headers=headers)
        self.response = self.connection.getresponse()

    def next_event(self):
        """The next event's fields (``id``, ``event``, ``data`` parsed); comments are skipped."""
        fields = {}
        while True:
            line = self.response.readline().decode().rstrip("\n")
            if line == "" and "data" in fields:
                return fields
            if line.startswith(":") or ":" not in line:
                continue
            name, _, value = line.partition(": ")
            fields[name] = json.loads(value) if name == "data" else value

    def close(self):
        if self.connection.sock is not None:  # (None once the server ended the stream and the body was read)
            self.connection.sock.close()
        self.connection.close()


def waiting_readers(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
    finally:
        connection.close()
    match = re.search(r"^changes_waiting_readers (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def until(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.05)


def test_a_long_poll_returns_within_a_second_of_the_commit(live):
    server, token = live
    answers = {}

    def wait():
        answers["page"] = call("GET", f"{server.url}/changes?wait=30", token)
        answers["at"] = time.monotonic()

    waiter = threading.Thread(target=wait)
    waiter.start()
    until(lambda: waiting_readers(server) == 1)
    created = create(server, token, "woken")
    committed = time.monotonic()
    waiter.join(timeout=30)
    status, _, page = answers["page"]
    assert status == 200 and [event["uuid"] for event in page["events"]] == [created["uuid"]]
    assert answers["at"] - committed < 1.0


def test_a_long_poll_with_nothing_new_returns_an_empty_page_after_the_wait(live):
    server, token = live
    create(server, token, "first")
    started = time.monotonic()
    status, _, page = call("GET", f"{server.url}/changes?after=1&wait=1", token)
    assert (status, page["events"], page["next"]) == (200, [], 1)
    assert 0.9 < time.monotonic() - started < 5


def test_a_long_poll_is_not_woken_by_another_tenants_change(live, other_tenant):
    server, token = live
    create(server, token_for(other_tenant.uuid), "elsewhere")
    status, _, page = call("GET", f"{server.url}/changes?wait=1", token)
    assert (status, page["events"]) == (200, [])


def test_the_stream_resumes_after_last_event_id_and_then_follows_live(live):
    server, token = live
    for slug in ("a", "b", "c"):
        create(server, token, slug)
    stream = EventStream(server, token, **{"Last-Event-ID": "1"})
    try:
        assert stream.response.status == 200
        assert stream.response.headers["Content-Type"].startswith("text/event-stream")
        second, third = stream.next_event(), stream.next_event()
        assert (second["id"], third["id"]) == ("2", "3") and second["event"] == "metadata.created"
        created = create(server, token, "d")
        fourth = stream.next_event()
        assert fourth["id"] == "4" and fourth["data"]["uuid"] == created["uuid"]
    finally:
        stream.close()


def test_the_stream_without_a_cursor_starts_at_head(live):
    server, token = live
    create(server, token, "old")
    stream = EventStream(server, token)
    try:
        until(lambda: waiting_readers(server) == 1)
        created = create(server, token, "new")
        assert stream.next_event()["data"]["uuid"] == created["uuid"]
    finally:
        stream.close()


def test_the_stream_sends_heartbeat_comments_while_idle(live):
    server, token = live
    stream = EventStream(server, token)
    try:
        lines = [stream.response.readline() for _ in range(4)]
        assert b": heartbeat\n" in lines
    finally:
        stream.close()


def test_a_client_that_disconnects_from_the_stream_frees_what_it_held(live):
    server, token = live
    streams = [EventStream(server, token) for _ in range(3)]
    until(lambda: waiting_readers(server) == 3)
    for stream in streams:
        stream.close()
    until(lambda: waiting_readers(server) == 0, seconds=10)  # noticed at the next heartbeat write
    status, _, page = call("GET", f"{server.url}/changes", token)  # and the workers still serve
    assert status == 200


def test_a_stream_with_a_bad_cursor_is_a_problem_not_a_stream(live):
    server, token = live
    stream = EventStream(server, token, "/changes/stream?after=5")
    try:
        assert stream.response.status == 400
        assert stream.response.headers["Content-Type"].startswith("application/problem+json")
    finally:
        stream.close()


@pytest.mark.slow
def test_a_reader_following_the_feed_sees_exactly_the_committed_changes_of_8_concurrent_writers(live):
    server, token = live
    committed, seen, done = [], [], threading.Event()

    def writer(number):
        resource = create(server, token, f"w{number}")
        committed.append((resource["uuid"], 1))
        for _ in range(49):
            status, _, body = call(
                "PUT",
                f"{server.url}/metadatas/{resource['uuid']}",
                token,
                {"data": {"n": _}, "version": resource["version"]},
            )
            assert status == 200, body
            resource = body
            committed.append((resource["uuid"], resource["version"]))

    def reader():
        after = 0
        while not done.is_set() or after < len(committed):
            status, _, page = call("GET", f"{server.url}/changes?after={after}&limit=1000&wait=2", token)
            assert status == 200
            seen.extend(page["events"])
            after = page["next"]

    following = threading.Thread(target=reader)
    following.start()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(writer, range(8)))
    done.set()
    following.join(timeout=120)
    assert [event["seq"] for event in seen] == list(range(1, 401))
    assert sorted((event["uuid"], event["version"]) for event in seen) == sorted(committed)
    versions = defaultdict(list)
    for event in seen:
        versions[event["uuid"]].append(event["version"])
    assert all(found == list(range(1, 51)) for found in versions.values())


@pytest.fixture
def stopping_server(transactional_db, tenant):
    """One gunicorn worker (so both readers wait in it) with a 10 s graceful timeout, and a token."""
    with gunicorn(workers=1, GUNICORN_GRACEFUL_TIMEOUT="10") as server:
        yield server, token_for(tenant.uuid)


def test_sigterm_ends_streams_and_long_polls_at_once_and_a_resuming_reader_loses_nothing(stopping_server):
    server, token = stopping_server
    before = create(server, token, "before-stop")
    stream = EventStream(server, token, **{"Last-Event-ID": "0"})
    ended = {}
    try:
        assert stream.next_event()["id"] == "1"
        with ThreadPoolExecutor(1) as pool:
            poll = pool.submit(call, "GET", f"{server.url}/changes?after=1&wait=60", token)
            until(lambda: waiting_readers(server) == 2)
            worker = next(iter(server.children()))
            signalled = time.monotonic()
            server.process.send_signal(signal.SIGTERM)
            rest = stream.response.read()  # the stream ends: its chunked body is terminated, not cut
            ended["stream"] = time.monotonic() - signalled
            stream.close()  # and its client goes to reconnect elsewhere
            status, _, page = poll.result(timeout=15)
            ended["poll"] = time.monotonic() - signalled
            assert server.process.wait(timeout=15) == 0
            ended["server"] = time.monotonic() - signalled
    finally:
        stream.close()
    print("after SIGTERM: " + ", ".join(f"{what} ended in {seconds:.2f} s" for what, seconds in ended.items()))
    assert b"id: " not in rest and ended["stream"] < 2
    assert (status, page["events"], page["next"]) == (200, [], 1) and ended["poll"] < 2
    assert not Path(f"/proc/{worker}").exists() and ended["server"] < 3
    with gunicorn(workers=1) as elsewhere:  # the reader resumes on another server from its last event
        after = create(elsewhere, token, "after-stop")
        resumed = EventStream(elsewhere, token, **{"Last-Event-ID": "1"})
        try:
            assert resumed.next_event()["data"]["uuid"] == after["uuid"] != before["uuid"]
        finally:
            resumed.close()


def test_a_worker_recycled_after_max_requests_ends_its_streams_at_once(transactional_db, tenant):
    token = token_for(tenant.uuid)
    with gunicorn(workers=1, GUNICORN_MAX_REQUESTS="10", GUNICORN_GRACEFUL_TIMEOUT="20") as server:
        stream = EventStream(server, token, **{"Last-Event-ID": "0"})
        try:
            started = time.monotonic()
            for _ in range(12):  # the worker stops itself after 10 or 11 requests, the stream's included
                assert call("GET", f"{server.url}/health/live", token)[0] == 200
            assert stream.response.read() == b"retry: 2000\n\n"  # ended cleanly, no event lost on the way
            ended = time.monotonic() - started
        finally:
            stream.close()
    print(f"a recycled worker's stream ended {ended:.2f} s after the requests began")
    assert ended < 8
