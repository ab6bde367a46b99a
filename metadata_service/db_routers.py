"""Reads to PostgreSQL replicas, writes to the primary, and every client reads its own writes.

With ``DATABASE_REPLICA_URLS`` set, ``PrimaryReplicaRouter`` sends reads to a replica. A request
with an unsafe method (POST, PUT, PATCH, DELETE) reads from the primary from its start, so the
version it checks is the current one, and any read after a write in a request goes there too.
A response to a request that wrote carries a short-lived cookie that keeps that client's next
requests on the primary for ``DATABASE_REPLICA_PIN_SECONDS``, longer than replication lag.
Tenants, users and sessions are always read from the primary: disabling one must take effect at once.

A request keeps the replica it was given (``metadata_service.replicas`` picks one that answers); when
none answers its reads go to the primary. A read-only request whose replica fails mid-way is answered
again from the primary, so a replica going away costs the client nothing but time.
"""

from contextlib import ExitStack
from contextvars import ContextVar, Token
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

from metadata_service.conf import service_settings
from metadata_service.problems import QUERY_CANCELED
from metadata_service.replicas import REPLICAS

PRIMARY = "default"
DIRECT = "direct"
PIN_COOKIE = "read_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ALWAYS_PRIMARY_APPS = {"tenants", "auth", "sessions"}
UNCHOSEN = ""

_pinned = ContextVar("pinned_to_primary", default=False)
_wrote = ContextVar("wrote_to_primary", default=False)
_replica = ContextVar("replica_of_this_request", default=UNCHOSEN)
_failed_replica: ContextVar[tuple[str, Exception] | None] = ContextVar("replica_that_failed", default=None)


class PrimaryReplicaRouter:
    """Reads to this request's replica unless it is pinned to the primary; writes to the primary."""

    def db_for_read(self, model, **hints):
        if not settings.DATABASE_REPLICAS or _pinned.get() or model._meta.app_label in ALWAYS_PRIMARY_APPS:
            return PRIMARY
        if _replica.get() == UNCHOSEN:
            _replica.set(REPLICAS.choose())
        return _replica.get() or PRIMARY

    def db_for_write(self, model, **hints):
        _pinned.set(True)
        _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the same rows as the primary

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY or (db != DIRECT and db not in settings.DATABASE_REPLICAS)


def noting_failures(alias):
    """An execute wrapper that remembers that ``alias`` failed in this request (the error goes on)."""

    def wrapper(execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except (OperationalError, InterfaceError) as exc:
            # The replica went away, or cancelled the read to replay WAL; not a statement over the timeout,
            # which would be as slow on the primary.
            if getattr(exc.__cause__, "pgcode", None) != QUERY_CANCELED:
                _failed_replica.set((alias, exc))
            raise

    return wrapper


class ReplicaPinningMiddleware:
    """Pins a request to the primary when it may write or its client wrote moments ago (the cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:  # every query goes to the primary: nothing to pin or to answer again
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        tokens: list[tuple[ContextVar[Any], Token[Any]]] = [
            (_pinned, _pinned.set(not safe or PIN_COOKIE in request.COOKIES)),
            (_wrote, _wrote.set(False)),
            (_replica, _replica.set(UNCHOSEN)),
            (_failed_replica, _failed_replica.set(None)),
        ]
        try:
            response = self.respond(request)
            failure = _failed_replica.get()
            if safe and failure is not None and not _wrote.get():
                response = self.respond_from_the_primary(request, *failure)
            if _wrote.get() and settings.DATABASE_REPLICAS:
                response.set_cookie(
                    PIN_COOKIE,
                    "1",
                    max_age=service_settings.DATABASE_REPLICA_PIN_SECONDS,
                    httponly=True,
                    samesite="Lax",
                )
            return response
        finally:
            for variable, token in reversed(tokens):
                variable.reset(token)

    def respond(self, request):
        with ExitStack() as watching:
            for alias in settings.DATABASE_REPLICAS:
                watching.enter_context(connections[alias].execute_wrapper(noting_failures(alias)))
            return self.get_response(request)

    def respond_from_the_primary(self, request, alias, exc):
        REPLICAS.mark_failed(alias, exc)
        _pinned.set(True)
        return self.get_response(request)
