"""Which read replicas can serve right now: each answered lately and is a standby, never a second primary.

A replica that does not answer (at start-up or later) is left alone for ``DATABASE_REPLICA_RETRY_SECONDS``
and its reads go to another replica or to the primary; it is tried again after that. A replica that
answers but is not in recovery (a second primary, or a standby promoted since) would drift from the
primary: the service refuses to start with one (``check_replicas_at_start``) and stops reading from it
if one turns into a primary later. The state is per process (each gunicorn worker finds out itself).
"""

import logging
import random
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections

from metadata_service.conf import service_settings
from metadata_service.metrics import REPLICA_UNAVAILABLE

logger = logging.getLogger(__name__)
LAG_SQL = (
    "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


class NotAStandby(DatabaseError):
    """A replica URL leads to a server that is not in recovery: it takes writes, so it is no replica."""


def describe(alias):
    """``replica1 (127.0.0.1:5433/metadata)``: where an alias points, without its password."""
    database = connections[alias].settings_dict
    return f"{alias} ({database['HOST'] or 'localhost'}:{database['PORT'] or 5432}/{database['NAME']})"


def driver_query(connection, sql):
    """One row from the driver's own cursor (not counted as the request's query), errors as Django's."""
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


class ReplicaSet:
    """The configured replicas and, for each that failed, when to try it again."""

    def __init__(self):
        self.retry_at = {}

    def choose(self):
        """A replica that answers and is a standby, chosen at random; None when there is none."""
        candidates = [alias for alias in settings.DATABASE_REPLICAS if self.retry_at.get(alias, 0) <= time.monotonic()]
        random.shuffle(candidates)
        return next((alias for alias in candidates if self.usable(alias)), None)

    def usable(self, alias):
        try:
            self.connect(alias)
        except DatabaseError as exc:
            self.mark_failed(alias, exc)
            return False
        self.retry_at.pop(alias, None)
        return True

    def connect(self, alias):
        """Open (or health-check) the alias's connection; a new one must be to a standby."""
        connection = connections[alias]
        connection.close_if_health_check_failed()
        if connection.connection is not None:
            return connection
        connection.ensure_connection()
        in_recovery = driver_query(connection, "SELECT pg_is_in_recovery()")[0]
        if not in_recovery:
            connection.close()
            raise NotAStandby(
                f"{describe(alias)} is not a standby (pg_is_in_recovery() is false): it accepts writes and "
                "would drift from the primary; point DATABASE_REPLICA_URLS at streaming replicas only"
            )
        return connection

    def mark_failed(self, alias, exc):
        first = alias not in self.retry_at
        self.retry_at[alias] = time.monotonic() + service_settings.DATABASE_REPLICA_RETRY_SECONDS
        REPLICA_UNAVAILABLE.labels(alias=alias).inc()
        connections[alias].close()
        if first:  # once per outage, not once per request
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            level = logging.ERROR if isinstance(exc, NotAStandby) else logging.WARNING
            logger.log(level, "replica %s unavailable, reading from the primary instead: %s", alias, reason)

    def state(self, alias):
        """What /health/ready says of one replica: ``{"status": ..., "replayLagSeconds": ...}``."""
        try:
            in_recovery, lag = driver_query(self.connect(alias), LAG_SQL)
        except NotAStandby as exc:
            self.mark_failed(alias, exc)
            return {"status": "not_a_standby"}
        except DatabaseError as exc:
            self.mark_failed(alias, exc)
            return {"status": "unavailable"}
        self.retry_at.pop(alias, None)
        if not in_recovery:  # promoted while connected
            self.mark_failed(alias, NotAStandby(f"{describe(alias)} was promoted: it is no standby any more"))
            return {"status": "not_a_standby"}
        return {"status": "ok", "replayLagSeconds": round(float(lag), 3)}


REPLICAS = ReplicaSet()


def check_replicas_at_start():
    """Refuse to start with a replica that is a primary; warn of (and go on without) one that does not answer."""
    for alias in settings.DATABASE_REPLICAS:
        try:
            REPLICAS.connect(alias)
        except NotAStandby as exc:
            raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: {exc}") from None
        except DatabaseError as exc:
            REPLICAS.mark_failed(alias, exc)
        finally:
            connections[alias].close()
