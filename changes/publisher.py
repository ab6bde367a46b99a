"""``python manage.py publish_changes``: every change feed event to NATS JetStream (contract changes.md).

At least once and in seq order per tenant: a tenant's events after its ``PublishPosition`` are sent in
order (``publish_async`` sends each before the next; the acks come back together), and the position moves
to the last acknowledged seq only after JetStream's acks. Killed at any moment, it sends again from the
recorded position; ``Nats-Msg-Id: <tenant>:<seq>`` lets JetStream drop what it already stored (its
duplicate window, 2 minutes by default). While NATS is down it retries with backoff and nothing moves;
writes to the API never wait for it (the feed is in PostgreSQL). It waits for commits on its own LISTEN.
"""

import asyncio
import json
import logging
import select
import signal
from typing import Any

import nats
import psycopg2
from django.db import DatabaseError, close_old_connections
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from changes.listener import NOTIFY_CHANNEL, connection_parameters
from changes.models import ChangeEvent, PublishPosition
from changes.recording import COUNTER, event_document
from tenants.counters import TenantCounter

logger = logging.getLogger("changes.publisher")

BATCH = 500
ACK_TIMEOUT_SECONDS = 10
BACKOFF_SECONDS = (0.2, 0.5, 1, 2, 5)
SUBJECTS = "metadata.>"


def subject_of(tenant_id, event):
    return f"metadata.{tenant_id}.{event['kind']}.{event['operation']}"


def tenants_behind():
    """(tenant id, published seq) of every tenant with events after its position (a new one: 0)."""
    published = PublishPosition.objects.filter(tenant_id=OuterRef("tenant_id")).values("seq")
    counters = TenantCounter.objects.filter(name=COUNTER).annotate(position=Coalesce(Subquery(published), 0))
    return list(counters.filter(value__gt=F("position")).values_list("tenant_id", "position"))


def record_position(tenant_id, seq):
    PublishPosition.objects.update_or_create(tenant_id=tenant_id, defaults={"seq": seq})


class Publisher:
    """One connection to NATS, one LISTEN on PostgreSQL, and the loop that sends what is behind."""

    def __init__(self, *, url: str, stream: str):
        self.url, self.stream = url, stream
        self.loop = asyncio.new_event_loop()
        self.nats: Any = None  # a nats.aio.client.Client while connected
        self.listen_connection: Any = None  # a psycopg2 connection while listening
        self.stopping = False

    def run(self, coroutine):
        return self.loop.run_until_complete(coroutine)

    def run_forever(self):
        """Until SIGTERM or SIGINT: publish, and on any failure start again after a growing pause."""
        for stop_signal in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop_signal, lambda *_: setattr(self, "stopping", True))
        failures = 0
        while not self.stopping:
            try:
                self.connect()
                failures = 0
                while not self.stopping:
                    if not self.publish_behind():
                        self.wait_for_commits(1.0)
            except (TimeoutError, nats.errors.Error, OSError, DatabaseError, psycopg2.Error) as exc:
                logger.warning("publish_changes: %s: %s; retrying", type(exc).__name__, exc)
                self.disconnect()
                self.pause(BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)])
                failures += 1
        self.disconnect()

    def connect(self):
        if self.nats is None or self.nats.is_closed:
            self.nats = self.run(nats.connect(servers=[self.url], connect_timeout=2, allow_reconnect=False))
            self.ensure_stream()
        if self.listen_connection is None or self.listen_connection.closed:
            self.listen_connection = psycopg2.connect(**connection_parameters())
            self.listen_connection.autocommit = True
            self.listen_connection.cursor().execute(f"LISTEN {NOTIFY_CHANNEL}")

    def ensure_stream(self):
        """The stream, created if absent, taking every event subject."""
        jetstream = self.nats.jetstream()
        try:
            self.run(jetstream.stream_info(self.stream))
        except nats.js.errors.NotFoundError:
            self.run(jetstream.add_stream(name=self.stream, subjects=[SUBJECTS]))

    def publish_behind(self) -> int:
        """Send one batch of each tenant that is behind; how many events were acknowledged."""
        close_old_connections()
        return sum(self.publish_batch(tenant_id, position) for tenant_id, position in tenants_behind())

    def publish_batch(self, tenant_id, position) -> int:
        rows = ChangeEvent.objects.for_tenant(tenant_id).filter(seq__gt=position).order_by("seq")[:BATCH]
        events = [event_document(row) for row in rows.only("seq", "body")]
        if not events:
            return 0
        self.run(self.send(tenant_id, events))
        record_position(tenant_id, events[-1]["seq"])
        return len(events)

    async def send(self, tenant_id, events):
        """Each event in order, then every ack (any missing one raises: the position does not move)."""
        jetstream = self.nats.jetstream()
        acks = []
        for event in events:
            headers = {"Nats-Msg-Id": f"{tenant_id}:{event['seq']}"}
            body = json.dumps(event, ensure_ascii=False).encode()
            acks.append(await jetstream.publish_async(subject_of(tenant_id, event), body, headers=headers))
        await asyncio.wait_for(asyncio.gather(*acks), ACK_TIMEOUT_SECONDS)

    def wait_for_commits(self, seconds):
        """Until a commit is notified or ``seconds`` pass; NATS's own work (pings) runs meanwhile."""
        connection = self.listen_connection

        async def notified():
            readable = asyncio.Event()
            self.loop.add_reader(connection.fileno(), readable.set)
            try:
                await asyncio.wait_for(readable.wait(), seconds)
            except TimeoutError:
                pass
            finally:
                self.loop.remove_reader(connection.fileno())

        self.run(notified())
        if select.select([connection], [], [], 0)[0]:
            connection.poll()
            connection.notifies.clear()

    def pause(self, seconds):
        if not self.stopping:
            self.run(asyncio.sleep(seconds))

    def disconnect(self):
        if self.nats is not None and not self.nats.is_closed:
            try:
                self.run(asyncio.wait_for(self.nats.close(), 2))
            except Exception:  # closing a broken connection may fail in any way; it is dropped either way
                pass
        self.nats = None
        if self.listen_connection is not None:
            self.listen_connection.close()
            self.listen_connection = None
