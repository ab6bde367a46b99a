"""The service under a real gunicorn, on a free port, against the test database (for end-to-end tests)."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


START_TIMEOUT_SECONDS = 60
# gunicorn gives up binding a taken port after a few seconds and exits saying so; then a new port is tried.
PORT_TAKEN = b"Connection in use"
START_ATTEMPTS = 3


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
        self.workers = workers
        environment = {**os.environ, "DATABASE_URL": database, **(env or {})}
        environment.pop("PROMETHEUS_MULTIPROC_DIR", None)  # gunicorn.conf.py makes one per server
        for attempt in range(1, START_ATTEMPTS + 1):
            # The free port is only free when chosen: another process may take it before gunicorn binds it.
            self.start(environment, args)
            try:
                self.wait_until_started()
                return
            except RuntimeError as exc:
                self.stop()
                if PORT_TAKEN not in self.final_log.encode() or attempt == START_ATTEMPTS:
                    raise RuntimeError(f"{exc}\n{self.final_log[-3000:]}") from None

    def start(self, environment, args):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "gunicorn", "metadata_service.wsgi:application", "-c", "gunicorn.conf.py"]
        command += ["-b", f"127.0.0.1:{self.port}", "-w", str(self.workers), "--access-logfile", "/dev/null", *args]
        self.log = open(ROOT / "var" / f"gunicorn-{self.port}.log", "w+b")  # closed in stop()
        self.process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=self.log, stderr=self.log)

    def wait_until_started(self):
        """The master listens before it forks its workers: wait for the port, then for every worker."""
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        wait_for_port(self.port, self.process, timeout=START_TIMEOUT_SECONDS)
        while len(self.children()) < self.workers:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn forked {len(self.children())} of {self.workers} workers")
            time.sleep(0.05)

    @property
    def pid(self):
        return self.process.pid

    def children(self):
        """The pids of the master's child processes right now (none once it has exited)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            return set(map(int, children.read_text().split()))
        except OSError:
            return set()

    def worker_pids(self, timeout=START_TIMEOUT_SECONDS):
        """The pids of the master's ``workers`` live workers, waiting (bounded) while one is being replaced."""
        deadline = time.monotonic() + timeout
        while len(pids := self.children()) < self.workers:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn runs {len(pids)} of its {self.workers} workers")
            time.sleep(0.05)
        return pids

    def log_text(self):
        """What the server wrote so far; after ``stop()``, all it wrote (the file itself is gone)."""
        if self.log.closed:
            return self.final_log
        self.log.flush()
        return (ROOT / "var" / f"gunicorn-{self.port}.log").read_text(errors="replace")

    def log_lines(self):
        return self.log_text().splitlines()

    def terminate(self, timeout=60):
        """SIGTERM (gunicorn's graceful stop) and wait for the master to exit; its exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def stop(self):
        """Stop gracefully (workers close their database connections); kill what is left after 30 s."""
        workers = self.children()
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
        self.final_log = self.log_text()
        self.log.close()
        (ROOT / "var" / f"gunicorn-{self.port}.log").unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def wait_until_live(server, seconds=30):
    """Return once the app answers ``/health/live`` (the port alone may open before the app loads)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            with urllib.request.urlopen(f"{server.url}/health/live", timeout=5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start:\n" + "\n".join(server.log_lines()[-30:]))


@contextmanager
def gunicorn(workers=2, **environment):
    """Serve the app on the test database until the block ends; ``environment`` overrides settings."""
    with Gunicorn(database_url(), workers=workers, env={"DATABASE_CONN_MAX_AGE": "0", **environment}) as server:
        wait_until_live(server)
        yield server
