"""Reads to PostgreSQL replicas, writes to the primary, and every client reads its own writes.

With ``DATABASE_REPLICA_URLS`` set, ``PrimaryReplicaRouter`` sends reads to a replica. A request
with an unsafe method (POST, PUT, PATCH, DELETE) reads from the primary from its start, so the
version it checks is the current one, and any read after a write in a request goes there too.
A response to a request that wrote carries a short-lived cookie that keeps that client's next
requests on the primary for ``DATABASE_REPLICA_PIN_SECONDS``, longer than replication lag.
Tenants are always read from the primary: disabling one must take effect at once.
"""

import random
from contextvars import ContextVar

from django.conf import settings

PRIMARY = "default"
PIN_COOKIE = "read_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
ALWAYS_PRIMARY_APPS = {"tenants"}

_pinned = ContextVar("pinned_to_primary", default=False)
_wrote = ContextVar("wrote_to_primary", default=False)


class PrimaryReplicaRouter:
    """Reads to a random replica unless this request is pinned to the primary; writes to the primary."""

    def db_for_read(self, model, **hints):
        replicas = settings.DATABASE_REPLICAS
        if not replicas or _pinned.get() or model._meta.app_label in ALWAYS_PRIMARY_APPS:
            return PRIMARY
        return random.choice(replicas)

    def db_for_write(self, model, **hints):
        _pinned.set(True)
        _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # replicas hold the same rows as the primary

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY or db not in settings.DATABASE_REPLICAS


class ReplicaPinningMiddleware:
    """Pins a request to the primary when it may write or its client wrote moments ago (the cookie)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pinned = _pinned.set(request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES)
        wrote = _wrote.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get() and settings.DATABASE_REPLICAS:
                response.set_cookie(
                    PIN_COOKIE, "1", max_age=settings.DATABASE_REPLICA_PIN_SECONDS, httponly=True, samesite="Lax"
                )
            return response
        finally:
            _pinned.reset(pinned)
            _wrote.reset(wrote)
