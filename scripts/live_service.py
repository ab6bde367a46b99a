"""The service under gunicorn on PostgreSQL, for the scripts that drive it over HTTP (soak, fuzz)."""

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.gunicorn_launcher import Gunicorn  # noqa: E402  (the repository's root is on the path now)

TENANT = "5d1a3c2e-0b5f-4a8e-9c61-50a4c0000001"
# The scripts measure the locking and the parsers, not the limiter: every rate limit off.
NO_RATE_LIMITS = {"THROTTLE_RATE_TENANT": "off", "THROTTLE_RATE_TOKEN": "off", "THROTTLE_RATE_LOGIN": "off"}


def ensure_database():
    """Create the PostgreSQL database of ``DATABASE_URL`` if it does not exist."""
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if not config["ENGINE"].endswith("postgresql"):
        raise SystemExit("This script needs PostgreSQL: set DATABASE_URL=postgres://...")
    server = psycopg2.connect(
        dbname="postgres",
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        connect_timeout=5,
    )
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (config["NAME"],))
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    server.close()


def manage(*arguments):
    result = subprocess.run([sys.executable, "manage.py", *arguments], cwd=ROOT, check=True, capture_output=True)
    return result.stdout.decode().strip()


def prepare(ttl_seconds):
    """Migrate, register the scripts' tenant and return a System token of it valid ``ttl_seconds``."""
    ensure_database()
    manage("migrate", "--noinput")
    manage("create_tenant", "--uuid", TENANT, "--name", "Reliability scripts")
    return manage("issue_token", "--tenant", TENANT, "--type", "System", "--ttl", str(int(ttl_seconds)))


@contextmanager
def serving(workers, env=None):
    """The service under gunicorn (gunicorn.conf.py) on a free port for the block; yields the port; then
    stops it gracefully and writes what gunicorn logged (warnings and errors) to stderr."""
    try:
        server = Gunicorn(workers=workers, env=env, args=["--log-level", "warning"])
    except RuntimeError as exc:
        raise SystemExit(str(exc)) from None
    try:
        yield server.port
    finally:
        server.stop()
        sys.stderr.write(server.final_log)  # gunicorn's warnings and errors, as the run saw them
