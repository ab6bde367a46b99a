"""Other PostgreSQL sessions than Django's, to hold locks and watch the server's own sessions."""

import time
from contextlib import closing, contextmanager

import psycopg2
from django.db import connection


def libpq_settings():
    settings_dict = connection.settings_dict
    return {
        "dbname": settings_dict["NAME"],
        "user": settings_dict["USER"] or "postgres",
        "host": settings_dict["HOST"] or "127.0.0.1",
        "port": settings_dict["PORT"] or 5432,
    }


@contextmanager
def row_locked(pk):
    """Hold a metadata row's lock from another session (as a long transaction would) during the block."""
    with closing(psycopg2.connect(**libpq_settings())) as holder, holder.cursor() as cursor:
        cursor.execute('SELECT 1 FROM "metadatas_metadata" WHERE "row" = %s FOR UPDATE', (pk,))
        try:
            yield
        finally:
            holder.rollback()


def wait_until_a_session_waits_for_a_lock(timeout=30):
    """Return once some session of this database is blocked on a lock; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    with closing(psycopg2.connect(**libpq_settings())) as watcher:
        watcher.autocommit = True
        with watcher.cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    return
                time.sleep(0.05)
    raise AssertionError(f"no session waited for a lock within {timeout} s")


def wait_until_row_unlocked(pk, timeout_ms=10000):
    """Return once no session holds the row (a cut session's transaction has been rolled back)."""
    with closing(psycopg2.connect(**libpq_settings())) as probe, probe.cursor() as cursor:
        cursor.execute("SET lock_timeout = %s", (f"{timeout_ms}ms",))
        cursor.execute('SELECT 1 FROM "metadatas_metadata" WHERE "row" = %s FOR UPDATE', (pk,))
        probe.rollback()
