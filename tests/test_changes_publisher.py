"""``publish_changes``: the change feed on JetStream, at least once and in order, through SIGKILL and outages
(contract changes.md). Each test runs its own nats-server and the publisher as a real process."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from django.utils import timezone

from tests.conftest import metadata_body, token_for
from tests.support.http_calls import call
from tests.support.live_server import ROOT, database_url, gunicorn
from tests.support.nats_server import nats_server, why_not_available

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
STREAM = "TEST_CHANGES"
EVENTS = 20000  # about 10 s of publishing on the shared machine: killed after its first batch, it is mid-stream


@pytest.fixture
def nats(transactional_db):
    reason = why_not_available()
    if reason:
        print(f"skipping: {reason}")
        pytest.skip(reason)
    with nats_server() as server:
        yield server


class PublisherProcess:
    """``python manage.py publish_changes`` against the test database and the test's nats-server."""

    def __init__(self, nats_url):
        environment = {**os.environ, "DATABASE_URL": database_url(), "NATS_URL": nats_url, "NATS_STREAM": STREAM}
        command = [sys.executable, "manage.py", "publish_changes"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process.stdout.close()


def until(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        time.sleep(0.1)


def published_position(tenant):
    from changes.models import PublishPosition

    return PublishPosition.objects.filter(tenant=tenant).values_list("seq", flat=True).first() or 0


def write_resources(tenant, count):
    """``count`` created events in tenant A, through the write service (as the API writes them)."""
    from metadatas.services import metadata_create
    from tests.support.history import TEST_ACTOR

    for number in range(count):
        fields = {
            "owner": "O",
            "title": {"en": "T"},
            "slug": f"r-{time.monotonic_ns()}-{number}",
            "type": "t",
            "data": {},
        }
        metadata_create(tenant_id=tenant.uuid, fields=fields, actor=TEST_ACTOR)


def many_events(tenant, count):
    """``count`` events in tenant A at once, as the write services leave them (seq 1..count, the counter at
    count): enough that the publisher is still sending when it is killed."""
    from changes.models import ChangeEvent
    from changes.recording import COUNTER
    from tenants.counters import TenantCounter

    body = {
        "kind": "metadata",
        "operation": "created",
        "uuid": None,
        "version": 1,
        "occurredAt": "2026-12-01T00:00:00+00:00",
    }
    ChangeEvent.objects.bulk_create(
        ChangeEvent(tenant=tenant, seq=seq, kind="metadata", operation="created", occurred_at=timezone.now(), body=body)
        for seq in range(1, count + 1)
    )
    TenantCounter.objects.create(tenant=tenant, name=COUNTER, value=count)


def seqs_of(messages):
    return [body["seq"] for _, _, body in messages]


def test_every_event_is_published_in_order_with_its_subject_and_message_id(nats, tenant):
    write_resources(tenant, 5)
    publisher = PublisherProcess(nats.url)
    try:
        until(lambda: published_position(tenant) == 5)
    finally:
        publisher.stop()
    messages = nats.messages(STREAM)
    assert seqs_of(messages) == [1, 2, 3, 4, 5]
    subject, headers, body = messages[0]
    assert subject == f"metadata.{tenant.uuid}.metadata.created"
    assert headers["Nats-Msg-Id"] == f"{tenant.uuid}:1"
    assert body["kind"] == "metadata" and body["resource"]["version"] == 1


def test_a_publisher_killed_mid_stream_and_restarted_loses_and_repeats_nothing(nats, tenant):
    many_events(tenant, EVENTS)
    publisher = PublisherProcess(nats.url)
    until(lambda: published_position(tenant) > 0)
    publisher.kill()
    publisher.stop()
    assert published_position(tenant) < EVENTS, "the publisher finished before it could be killed mid-stream"
    publisher = PublisherProcess(nats.url)
    try:
        until(lambda: published_position(tenant) == EVENTS, seconds=120)
    finally:
        publisher.stop()
    assert seqs_of(nats.messages(STREAM)) == list(range(1, EVENTS + 1))  # repeats dropped by their message id


def test_with_nats_down_the_api_answers_as_fast_and_the_events_arrive_after_it_returns(nats, tenant):
    token = token_for(tenant.uuid)
    publisher = PublisherProcess(nats.url)
    with gunicorn(workers=1) as server:
        try:

            def timed_writes(prefix):
                started = time.monotonic()
                for number in range(20):
                    status, _, _ = call(
                        "POST", f"{server.url}/metadatas", token, metadata_body(slug=f"{prefix}{number}")
                    )
                    assert status == 201
                return time.monotonic() - started

            with_nats = timed_writes("up")
            until(lambda: published_position(tenant) == 20)
            nats.stop()
            without_nats = timed_writes("down")
            assert without_nats < with_nats * 2 + 1.0
            assert published_position(tenant) == 20
            assert lag_of(server, tenant) == 20.0
            nats.start()
            until(lambda: published_position(tenant) == 40)
            assert lag_of(server, tenant) == 0.0
        finally:
            publisher.stop()
    assert seqs_of(nats.messages(STREAM)) == list(range(1, 41))


def lag_of(server, tenant):
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as response:
        text = response.read().decode()
    match = re.search(rf'^changes_publish_lag_events\{{tenant="{tenant.uuid}"\}} (\S+)$', text, re.MULTILINE)
    return float(match.group(1)) if match else None


def test_the_durable_consumer_example_of_the_docs_reads_the_published_events(nats, tenant):
    write_resources(tenant, 3)
    publisher = PublisherProcess(nats.url)
    try:
        until(lambda: published_position(tenant) == 3)
    finally:
        publisher.stop()
    example = [sys.executable, "docs/examples/follow_changes.py", str(tenant.uuid), "--count", "3"]
    environment = {**os.environ, "NATS_URL": nats.url, "NATS_STREAM": STREAM}
    run = subprocess.run(example, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert [line.split()[:2] for line in run.stdout.splitlines()] == [[str(n), "metadata.created"] for n in (1, 2, 3)]
