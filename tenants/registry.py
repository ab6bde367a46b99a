"""Answers whether a tenant named by a token may use the service, without a query per request.

Each request needs "is this tenant registered and enabled?". On PostgreSQL each worker process keeps
the answers it has read, and a dedicated connection LISTENs on ``tenant_state``: every save, delete or
bulk update of a tenant sends ``NOTIFY tenant_state, '<uuid>'`` inside its transaction, which
PostgreSQL delivers to every listening worker, on every machine, the moment it commits. A worker
drains the notifications (a non-blocking read of a socket, no round trip) before it trusts its copy.
Disabling a tenant therefore rejects its tokens at once everywhere. When the listening connection is
down, or on SQLite, nothing is cached and each request asks the database, as before.
The listener needs a direct connection to the primary (not a transaction-mode pooler).
"""

import logging
import time

import psycopg2
from django.conf import settings
from django.db import connections
from rest_framework.exceptions import AuthenticationFailed

from tenants.models import Tenant

CHANNEL = "tenant_state"
RECONNECT_SECONDS = 5
logger = logging.getLogger(__name__)


def require_enabled_tenant(tenant_id):
    """Raise a 401 unless ``tenant_id`` is registered and enabled."""
    enabled = tenant_enabled(tenant_id)
    if enabled is None:
        raise AuthenticationFailed("The token's tenant is not registered.", code="unknown_tenant")
    if not enabled:
        raise AuthenticationFailed("The token's tenant is disabled.", code="disabled_tenant")


def tenant_enabled(tenant_id):
    """True or False for a registered tenant, None for an unknown one; from the process's copy if fresh."""
    key = str(tenant_id)
    trusted = tenant_states.fresh()
    if trusted and key in tenant_states.states:
        return tenant_states.states[key]
    enabled = Tenant.objects.filter(pk=tenant_id).values_list("enabled", flat=True).first()
    if trusted and enabled is not None:
        tenant_states.states[key] = enabled
    return enabled


def announce_tenant_change(tenant_id):
    """Forget the tenant here now, and tell every worker once the current transaction commits."""
    tenant_states.states.pop(str(tenant_id), None)
    connection = connections["default"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(tenant_id)])


class TenantStates:
    """One process's copy of tenants' enabled states, trusted only while its LISTEN connection is up."""

    def __init__(self):
        self.states = {}
        self.listener = None
        self.retry_at = 0.0

    def fresh(self):
        """Apply the notifications that arrived; whether the copy may be trusted now."""
        if not settings.METADATA_SERVICE["TENANT_STATE_CACHE"] or connections["default"].vendor != "postgresql":
            return False
        if self.listener is None and not self._listen():
            return False
        try:
            self.listener.poll()
        except psycopg2.Error:
            logger.warning("tenant state listener lost; asking the database until it is back")
            self.close()
            return False
        while self.listener.notifies:
            self.states.pop(self.listener.notifies.pop().payload, None)
        return True

    def _listen(self):
        if time.monotonic() < self.retry_at:
            return False
        self.retry_at = time.monotonic() + RECONNECT_SECONDS
        try:
            listener = psycopg2.connect(**connections["default"].get_connection_params())
            listener.autocommit = True
            listener.cursor().execute(f"LISTEN {CHANNEL}")
        except psycopg2.Error:
            logger.warning("cannot LISTEN for tenant changes; asking the database on every request")
            return False
        self.listener = listener
        self.states.clear()  # whatever changed while nobody listened is forgotten
        return True

    def close(self):
        """Stop listening and forget every state (tests, or a lost connection)."""
        if self.listener is not None:
            try:
                self.listener.close()
            except psycopg2.Error:
                pass
        self.listener = None
        self.states.clear()


tenant_states = TenantStates()
