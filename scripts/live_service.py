"""The service under gunicorn on PostgreSQL, for the scripts that drive it over HTTP (soak, fuzz)."""

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
import psycopg2

ROOT = Path(__file__).resolve().parents[1]
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


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(workers, env=None):
    """gunicorn (gunicorn.conf.py) on a free port for the block; yields the port; stops gracefully."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "metadata_service.wsgi:application", "-c", "gunicorn.conf.py"]
    command += ["-b", f"127.0.0.1:{port}", "-w", str(workers), "--access-logfile", "/dev/null"]
    command += ["--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)
    try:
        wait_for_port(port, server)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()


def wait_for_port(port, server, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn did not listen within {timeout} s")
