"""A gunicorn the reliability tests can signal, inspect and point at any database (see also live_server)."""

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.live_server import free_port

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_SECONDS = 60


def wait_for_port(port, process, timeout=START_TIMEOUT_SECONDS):
    """Return once ``port`` accepts connections; raise if ``process`` died or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not listen on {port} within {timeout} s")


class Gunicorn:
    """A gunicorn master with ``workers`` sync workers, configured by ``gunicorn.conf.py`` and ``env``."""

    def __init__(self, database, *, workers=2, env=None, args=()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "gunicorn", "metadata_service.wsgi:application", "-c", "gunicorn.conf.py"]
        command += ["-b", f"127.0.0.1:{self.port}", "-w", str(workers), "--access-logfile", "/dev/null", *args]
        environment = {**os.environ, "DATABASE_URL": database, **(env or {})}
        environment.pop("PROMETHEUS_MULTIPROC_DIR", None)  # gunicorn.conf.py makes one per server
        self.log = open(ROOT / "var" / f"gunicorn-{self.port}.log", "w+b")  # closed in stop()
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=self.log, stderr=self.log)
        try:
            wait_for_port(self.port, self.process)
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f"{exc}\n{self.log_text()[-3000:]}") from None

    @property
    def pid(self):
        return self.process.pid

    def worker_pids(self):
        """The pids of the master's live worker processes."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return set(map(int, children.read_text().split())) if children.exists() else set()

    def log_text(self):
        self.log.flush()
        return (ROOT / "var" / f"gunicorn-{self.port}.log").read_text(errors="replace")

    def terminate(self, timeout=60):
        """SIGTERM (gunicorn's graceful stop) and wait for the master to exit; its exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def stop(self):
        """Stop gracefully (workers close their database connections); kill what is left after 30 s."""
        workers = self.worker_pids()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        for pid in workers:  # orphaned workers of this server only (their command line names its port)
            with contextlib.suppress(OSError):
                if f"127.0.0.1:{self.port}".encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    os.kill(pid, signal.SIGKILL)
        self.log.close()
        (ROOT / "var" / f"gunicorn-{self.port}.log").unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def request(url, method="GET", *, token=None, body=None, raw_body=None, headers=None, timeout=30):
    """One request on a new connection: ``(status, headers, parsed JSON body or None)``.

    Connection errors are raised as they come, so callers can tell a refused connection (nothing
    was sent) from a reset one (a request in flight went unanswered).
    """
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    all_headers = {"Accept": "application/json", **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        raw_body = json.dumps(body).encode()
    if raw_body is not None:
        all_headers.setdefault("Content-Type", "application/json")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, path, body=raw_body, headers=all_headers)
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    parsed = json.loads(content) if content and "json" in (response.headers["Content-Type"] or "") else None
    return response.status, response.headers, parsed
