"""Prometheus metrics: requests by route template and status, their latency, and database query time.

Queries are timed under the alias of the connection that ran them (``default``, ``direct``,
``replica1`` ...), so a scrape shows how much of the read load the replicas take and how fast each
answers; ``db_replica_unavailable_total`` counts the times a replica failed and reads went elsewhere.

Under gunicorn every worker writes its samples to ``PROMETHEUS_MULTIPROC_DIR`` (set by
``gunicorn.conf.py``) and ``/metrics`` adds them up, so a scrape sees the whole service, not one worker.
"""

import os
import re
import time
from functools import lru_cache

from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.exposition import CONTENT_TYPE_LATEST

QUERY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
REQUESTS = Counter(
    "http_requests_total", "HTTP requests answered, by route template and status.", ["method", "route", "status"]
)
LATENCY = Histogram(
    "http_request_duration_seconds", "Time to answer an HTTP request, by route template.", ["method", "route"]
)
DATABASE_TIME = Histogram(
    "db_query_duration_seconds", "Time of each database query, by connection alias.", ["alias"], buckets=QUERY_BUCKETS
)
REPLICA_UNAVAILABLE = Counter(
    "db_replica_unavailable", "Times a replica failed (down, or not a standby) and its reads went elsewhere.", ["alias"]
)
# Readers of the change feed waiting for an event (long-poll) or connected to the stream (SSE), all workers.
WAITING_READERS = Gauge(
    "changes_waiting_readers",
    "Change feed readers waiting (long-poll) or streaming (SSE).",
    multiprocess_mode="livesum",
)

REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")
PATH_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")
UNMATCHED_ROUTE = "<unmatched>"
KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


@lru_cache(maxsize=256)  # one entry per URL pattern: a fixed, small set
def route_template(route):
    """``^metadatas/(?P<uuid>[^/.]+)/?$`` → ``/metadatas/{uuid}``: a label that does not grow with the data."""
    route = REGEX_GROUP.sub(r"{\1}", route)
    route = PATH_CONVERTER.sub(r"{\1}", route)
    return "/" + route.replace("^", "").replace("$", "").replace("/?", "")


def route_of(request):
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return route_template(match.route)
    static_prefix = "/" + settings.STATIC_URL.lstrip("/")
    return static_prefix + "{path}" if request.path.startswith(static_prefix) else UNMATCHED_ROUTE


def method_of(request):
    return request.method if request.method in KNOWN_METHODS else "other"


class QueryTimer:
    """A Django execute wrapper that records each query's duration under its connection alias."""

    def __init__(self, alias):
        self.histogram = DATABASE_TIME.labels(alias=alias)

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.histogram.observe(time.perf_counter() - started)


@lru_cache(maxsize=32)  # one per database alias
def query_timer(alias):
    return QueryTimer(alias)


def time_queries(sender, connection, **kwargs):
    """``connection_created``: every query of the connection is timed, in a request or not, once per connection.

    Installed as the outermost execute wrapper when the connection opens (before its first query), so a
    request pays nothing to set it up; a reconnect of the same wrapper does not add a second one.
    """
    timer = query_timer(connection.alias)
    if timer not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, timer)


connection_created.connect(time_queries, dispatch_uid="metadata_service.metrics.time_queries")


@lru_cache(maxsize=1024)  # methods x route templates x statuses: a fixed, small set
def request_counter(method, route, status):
    return REQUESTS.labels(method=method, route=route, status=str(status))


@lru_cache(maxsize=256)  # methods x route templates
def request_timer(method, route):
    return LATENCY.labels(method=method, route=route)


class PrometheusMiddleware:
    """Counts and times every request by method, route template and status (queries: ``time_queries``)."""

    def __init__(self, get_response):
        self.get_response = get_response
        for connection in connections.all(initialized_only=True):  # opened before this module was imported
            if connection.connection is not None:
                time_queries(None, connection)

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        method, route = method_of(request), route_of(request)
        request_timer(method, route).observe(time.perf_counter() - started)
        request_counter(method, route, response.status_code).inc()
        return response


# Collectors that compute their samples when scraped (from the database, say), not in each worker: an app
# registers them at start-up (the change feed's publish lag, changes/apps.py), so this package names no app.
SCRAPE_REGISTRY = CollectorRegistry(auto_describe=False)


def register_scrape_collector(collector):
    SCRAPE_REGISTRY.register(collector)


def metrics_registry():
    """Every worker's samples under gunicorn (multiprocess mode), else this process's."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def metrics_view(request):
    """``GET /metrics``: the Prometheus text format (no token: keep it off the public network)."""
    body = generate_latest(metrics_registry()) + generate_latest(SCRAPE_REGISTRY)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
