"""The service under a real gunicorn, on a free port, against the test database (for end-to-end tests)."""

from contextlib import contextmanager

from django.db import connection

from tests.support import gunicorn_launcher as launcher
from tests.support.gunicorn_launcher import ROOT, free_port

__all__ = ["ROOT", "Gunicorn", "database_url", "free_port", "gunicorn", "through_pgbouncer", "wait_until_live"]


def database_url(host=None, port=None):
    """The test database's URL, for a server process of its own (optionally through another host/port)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    host, port = host or settings["HOST"] or "127.0.0.1", port or settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def through_pgbouncer(bouncer):
    """Settings of a service reaching the test database through ``bouncer`` (transaction pooling)."""
    return {
        "DATABASE_URL": bouncer.url(connection.settings_dict["NAME"]),
        "DATABASE_POOL_MODE": "transaction",
        "DATABASE_DIRECT_URL": database_url(),
    }


class Gunicorn(launcher.Gunicorn):
    """The service under gunicorn on ``database`` (``env`` may still point it elsewhere, e.g. a pooler)."""

    def __init__(self, database, *, env=None, **options):
        super().__init__(env={"DATABASE_URL": database, **(env or {})}, **options)


def wait_until_live(server, seconds=30):
    """Return once the app answers ``/health/live`` (the port alone may open before the app loads)."""
    server.wait_until_answering("/health/live", seconds=seconds)


@contextmanager
def gunicorn(workers=2, **environment):
    """Serve the app on the test database until the block ends; ``environment`` overrides settings."""
    with Gunicorn(database_url(), workers=workers, env={"DATABASE_CONN_MAX_AGE": "0", **environment}) as server:
        wait_until_live(server)
        yield server
