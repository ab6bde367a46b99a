"""GET /changes (a page, or a long-poll with ``wait``) and GET /changes/stream (Server-Sent Events).

A reader that waits gives its database connections back first and holds none while it waits: it waits
on its tenant's wake-up event (``changes.listener``), then reads again.
"""

import json
import time

from django.db import connections
from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from changes import jsonld
from changes.listener import stopping, wakeup_for
from changes.openapi import LIST, STREAM
from changes.parameters import LIMIT_DEFAULT, feed_parameters, last_event_id
from changes.reading import FeedQuery, checked_cursor, read_page, visible_events
from metadata_service.conf import service_settings
from metadata_service.metrics import WAITING_READERS
from metadata_service.renderers import JSONLDRenderer, UTF8JSONRenderer
from tenants.permissions import IsTenantIdentity


def release_connections():
    """Give back every database connection of this request (to the worker's pool under gevent)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


class ChangesJSONLDRenderer(JSONLDRenderer):
    """JSON-LD, the default: the page as a ``hydra:Collection`` of its events, with ``next`` and ``head``."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and "events" in data:
            data = jsonld.page_document(data)
        return super().render(data, accepted_media_type, renderer_context)


class EventStreamRenderer(BaseRenderer):
    """Lets ``Accept: text/event-stream`` through content negotiation; the stream writes its own bytes."""

    media_type = "text/event-stream"
    format = "sse"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode()


class FeedView(APIView):
    """What both routes share: the caller's tenant, what it may see, and the parameters."""

    permission_classes = [IsTenantIdentity]

    def get_feed_query(self, parameters):
        identity = self.request.user
        return FeedQuery(tenant_id=identity.tenant_id, condition=visible_events(identity) & parameters.condition)


class ChangeListView(FeedView):
    """``GET /changes?after=&limit=&wait=``: the events after ``after``; with ``wait``, up to that many
    seconds for the first one the caller may see."""

    renderer_classes = [ChangesJSONLDRenderer, UTF8JSONRenderer]

    @LIST
    def get(self, request):
        parameters = feed_parameters(request.query_params)
        query = self.get_feed_query(parameters)
        after = parameters.after or 0
        checked_cursor(query.tenant_id, after)
        page = self.wait_for_page(query, after, parameters)
        return Response({"events": page.events, "next": page.next, "head": page.head})

    def wait_for_page(self, query, after, parameters):
        deadline = time.monotonic() + parameters.wait
        while True:
            if not parameters.wait:
                return read_page(query, after=after, limit=parameters.limit)
            wakeup = wakeup_for(query.tenant_id)
            page = shared_page(wakeup, query, after, parameters.limit)
            remaining = deadline - time.monotonic()
            if page.events or remaining <= 0 or stopping():
                return page  # (a worker that stops answers what it has: the client asks again elsewhere)
            release_connections()
            with WAITING_READERS.track_inprogress():
                wakeup.wait(remaining)
            after = page.next


class ChangeStreamView(FeedView):
    """``GET /changes/stream``: the events as Server-Sent Events from ``Last-Event-ID``, ``after`` or head."""

    renderer_classes = [EventStreamRenderer]

    @STREAM
    def get(self, request):
        parameters = feed_parameters(request.query_params)
        query = self.get_feed_query(parameters)
        resume = last_event_id(request)
        after = resume if resume is not None else parameters.after
        cursor = "Last-Event-ID" if resume is not None else "after"
        head = checked_cursor(query.tenant_id, after or 0, parameter=cursor)
        response = StreamingHttpResponse(self.events(query, head if after is None else after))
        response["Content-Type"] = "text/event-stream; charset=utf-8"
        response["Cache-Control"] = "no-store"
        response["X-Accel-Buffering"] = "no"  # proxies that buffer (nginx) pass each event on at once
        return response

    def events(self, query, after):
        """The stream: pages as they commit, a heartbeat comment when none came for a while."""
        heartbeat = service_settings.CHANGES_HEARTBEAT_SECONDS
        with WAITING_READERS.track_inprogress():
            try:
                yield b"retry: 2000\n\n"
                while True:
                    wakeup = wakeup_for(query.tenant_id)
                    page = shared_page(wakeup, query, after, LIMIT_DEFAULT)
                    release_connections()
                    yield from (server_sent(event) for event in page.events)
                    after = page.next
                    if stopping():
                        return  # the stream ends cleanly; the client resumes with Last-Event-ID elsewhere
                    if len(page.events) < LIMIT_DEFAULT and not wakeup.wait(heartbeat):
                        yield b": heartbeat\n\n"
            finally:
                release_connections()


def shared_page(wakeup, query, after, limit):
    """The page, read once for all the readers woken together that ask for the same one."""
    key = (after, limit, str(query.condition))
    return wakeup.shared(key, lambda: read_page(query, after=after, limit=limit))


def server_sent(event):
    """One event in the SSE format: ``id`` its seq, ``event`` kind.operation, ``data`` its JSON (one line)."""
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event['seq']}\nevent: {event['kind']}.{event['operation']}\ndata: {data}\n\n".encode()
