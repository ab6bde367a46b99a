"""The one way this repository starts gunicorn: end-to-end tests (``live_server``), the scripts that drive
the service over HTTP (``scripts/live_service.py``) and the benchmark (``bench/run.py``).

Standard library only, and no Django: the scripts and the benchmark import it outside a test run.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICE_APP = "metadata_service.wsgi:application"
SERVICE_CONFIG = ROOT / "gunicorn.conf.py"
START_TIMEOUT_SECONDS = 60
# gunicorn gives up binding a taken port after a few seconds and exits saying so; then a new port is tried.
PORT_TAKEN = b"Connection in use"
START_ATTEMPTS = 3


def free_port():
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process=None, timeout=START_TIMEOUT_SECONDS):
    """Return once ``port`` accepts connections; raise if ``process`` (when given) died or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listened on port {port} within {timeout} s")


class Gunicorn:
    """A gunicorn master with ``workers`` workers on a free port of 127.0.0.1, until ``stop()`` or the block ends.

    ``app`` and ``config`` are the service and ``gunicorn.conf.py`` unless given; ``env`` is added to this
    process's environment and ``args`` to gunicorn's command line. The output goes to ``log_path``, kept
    after the stop, or else to ``var/gunicorn-<port>.log``, removed at the stop (``log_text()`` still has it).
    ``own_session`` puts the server in a process group of its own (the benchmark stops an interrupted run's
    leftovers by group).
    """

    def __init__(
        self, *, workers=2, env=None, args=(), app=SERVICE_APP, config=SERVICE_CONFIG, log_path=None, own_session=False
    ):
        self.workers, self.app, self.config = workers, app, config
        self.kept_log_path, self.own_session = log_path, own_session
        environment = {name: value for name, value in os.environ.items() if name != "PROMETHEUS_MULTIPROC_DIR"}
        environment.update(env or {})  # (gunicorn.conf.py makes a metrics directory per server)
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
        self.log_path = self.kept_log_path or ROOT / "var" / f"gunicorn-{self.port}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "gunicorn", self.app, "-c", str(self.config), "--chdir", str(ROOT)]
        command += ["-b", f"127.0.0.1:{self.port}", "-w", str(self.workers), *args]
        self.log = open(self.log_path, "w+b")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=environment, stdout=self.log, stderr=self.log, start_new_session=self.own_session
        )

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

    def wait_until_answering(self, path, *, seconds=30, any_status=False):
        """Return once the app answers ``path`` with a 2xx (any HTTP status with ``any_status``): a worker
        forks before it has loaded the app."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(f"{self.url}{path}", timeout=5):
                    return
            except urllib.error.HTTPError:
                if any_status:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not start:\n" + "\n".join(self.log_lines()[-30:]))

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
        """What the server wrote so far; after ``stop()``, all it wrote (even when the file is gone)."""
        if self.log.closed:
            return self.final_log
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def log_lines(self):
        return self.log_text().splitlines()

    def terminate(self, timeout=60):
        """SIGTERM (gunicorn's graceful stop) and wait for the master to exit; its exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def stop(self):
        """Stop gracefully (workers close their database connections); kill what is left after 30 s."""
        if self.log.closed:
            return
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
        if self.kept_log_path is None:
            self.log_path.unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()
