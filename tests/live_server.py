"""The service under a real gunicorn, on a free port, against the test database (for end-to-end tests)."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    """The test database's URL, for a server process of its own."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


@dataclass
class LiveServer:
    """A running gunicorn: its base URL and the file its stderr (our request log) goes to."""

    url: str
    log: Path
    process: subprocess.Popen

    def log_lines(self):
        return self.log.read_text(errors="replace").splitlines()


def wait_until_live(server, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            with urllib.request.urlopen(f"{server.url}/health/live", timeout=5):
                return
        except OSError:
            time.sleep(0.1)
    server.process.kill()
    raise RuntimeError("gunicorn did not start:\n" + "\n".join(server.log_lines()[-30:]))


@contextmanager
def gunicorn(tmp_path, workers=2, **environment):
    """Serve the app with gunicorn and ``gunicorn.conf.py``; ``environment`` overrides settings."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "DATABASE_CONN_MAX_AGE": "0", **environment}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # gunicorn.conf.py makes one per server
    command = [sys.executable, "-m", "gunicorn", "metadata_service.wsgi:application", "-c", "gunicorn.conf.py",
               "-b", f"127.0.0.1:{port}", "-w", str(workers)]  # fmt: skip
    log = tmp_path / f"gunicorn-{port}.log"
    with log.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    server = LiveServer(f"http://127.0.0.1:{port}", log, process)
    try:
        wait_until_live(server)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
