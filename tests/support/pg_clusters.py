"""PostgreSQL servers of our own: a primary with a streaming hot standby, and a pgbouncer in front.

Used by the replica and pgbouncer tests, by ``bench/run --replica`` and by ``scripts/replica``. Every
server runs from a temporary directory on free ports of 127.0.0.1 (never the machine's cluster on
5432), as the ``postgres`` user when we are root (PostgreSQL and pgbouncer refuse to run as root),
and ``stop()`` removes all of it.
"""

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import psycopg2

from tests.support.gunicorn_launcher import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
SERVER_USER = "postgres"
SUPERUSER = "postgres"
BIN_CANDIDATES = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")
START_SECONDS = 60


def postgres_bin():
    """The directory of initdb, pg_ctl and pg_basebackup (``PG_BIN`` overrides), or None."""
    for candidate in (os.environ.get("PG_BIN"), *BIN_CANDIDATES):
        if candidate and all((Path(candidate) / tool).exists() for tool in ("initdb", "pg_ctl", "pg_basebackup")):
            return Path(candidate)
    found = shutil.which("pg_basebackup")
    return Path(found).parent if found and shutil.which("initdb") else None


def why_not_available(*, pgbouncer=False):
    """Why these servers cannot run here (a reason to print when skipping), or None when they can."""
    if postgres_bin() is None:
        return f"the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are not installed: {BIN_CANDIDATES}"
    if pgbouncer and shutil.which("pgbouncer") is None:
        return "pgbouncer is not installed (Debian package pgbouncer; scripts/_debian_tools.sh installs it)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no {SERVER_USER!r} user to run the servers as"
    return None


def as_server_user():
    """Keyword arguments for subprocess: drop root to the postgres user (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return {}
    return {"user": SERVER_USER, "group": pwd.getpwnam(SERVER_USER).pw_gid, "extra_groups": []}


def run(command, cwd):
    """Run a server tool as the server user; raise with its output when it fails."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, **as_server_user())
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def owned_temporary_directory(prefix):
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SERVER_USER)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
    return directory


def migrate(database_url, *, tenant=None):
    """Django's ``migrate`` on a database of its own, and a tenant, as an operator sets one up (a subprocess)."""
    set_up = "import django; django.setup(); from django.core.management import call_command; "
    set_up += "call_command('migrate', verbosity=0); "
    if tenant:
        set_up += f"call_command('create_tenant', uuid='{tenant}', name='Tenant {tenant}', verbosity=0)"
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "metadata_service.settings"}
    subprocess.run([sys.executable, "-c", set_up], cwd=ROOT, env=env, check=True, timeout=300)


class Cluster:
    """One PostgreSQL server: its data directory under ``home``, listening on 127.0.0.1:``port`` only."""

    def __init__(self, home, name, port=None):
        self.home, self.name = Path(home), name
        self.data = self.home / name
        self.port = port or free_port()
        self.log = self.home / f"{name}.log"

    def settings(self, *, durable):
        lines = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.home}'",
            "wal_level": "replica",
            "max_wal_senders": "5",
            "hot_standby": "on",
            "hot_standby_feedback": "on",
            "max_connections": "120",
            "shared_buffers": "64MB",
            "timezone": "'UTC'",
            "shared_preload_libraries": "'pg_stat_statements'",  # each server's own count of what it ran
            "pg_stat_statements.track_utility": "off",
        }
        if not durable:  # a throwaway server: skip the fsyncs (the benchmark keeps them)
            lines.update({"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off"})
        return "".join(f"{key} = {value}\n" for key, value in lines.items())

    def initdb(self, *, durable=False):
        run(
            [postgres_bin() / "initdb", "-D", self.data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync"],
            cwd=self.home,
        )
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(self.settings(durable=durable))

    def start(self):
        run([postgres_bin() / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "start"], cwd=self.home)

    def stop(self, mode="fast"):
        if (self.data / "postmaster.pid").exists():
            run([postgres_bin() / "pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop"], cwd=self.home)

    def kill(self):
        """Last resort at clean-up: the postmaster and its children, whatever state they are in."""
        pid_file = self.data / "postmaster.pid"
        if pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().split()[0]), signal.SIGQUIT)
            except (OSError, ValueError):
                pass

    def url(self, database="postgres"):
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def connect(self, database="postgres"):
        """A new autocommit session (close it, e.g. with ``contextlib.closing``)."""
        connection = psycopg2.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname=database, connect_timeout=5
        )
        connection.autocommit = True
        return connection

    def query(self, sql, params=(), database="postgres"):
        """The rows of one statement, run in a session of its own."""
        with closing(self.connect(database)) as connection, connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []


class ReplicaPair:
    """A primary and a hot standby streaming from it (``pg_basebackup -R``), under one temporary directory."""

    def __init__(self, *, durable=False):
        self.home = owned_temporary_directory("metadata-service-replica-")
        self.durable = durable
        self.primary = Cluster(self.home, "primary")
        self.standby = Cluster(self.home, "standby")

    def start(self):
        try:
            self.primary.initdb(durable=self.durable)
            self.primary.start()
            backup = [postgres_bin() / "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port)]
            backup += ["-U", SUPERUSER, "-D", self.standby.data, "-R", "-X", "stream", "-c", "fast", "--no-sync"]
            run(backup, cwd=self.home)
            with open(self.standby.data / "postgresql.conf", "a") as conf:  # the copy listens on the primary's port
                conf.write(f"port = {self.standby.port}\n")
            self.standby.start()
            self.wait_until_streaming()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_until_streaming(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.primary.query("SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'"):
                return
            time.sleep(0.1)
        raise RuntimeError(f"the standby did not stream within {seconds} s; see {self.standby.log}")

    def wait_until_replayed(self, seconds=30):
        """Return once the standby has replayed everything the primary has written so far."""
        target = self.primary.query("SELECT pg_current_wal_insert_lsn()")[0][0]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.standby.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (target,))[0][0]:
                return
            time.sleep(0.02)
        raise RuntimeError(f"the standby did not replay up to {target} within {seconds} s")

    def create_database(self, name):
        """A database on the primary (the standby gets it through replication), with pg_stat_statements."""
        self.primary.query(f'CREATE DATABASE "{name}"')
        self.primary.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", database=name)
        self.wait_until_replayed()

    def stop(self):
        for cluster in (self.standby, self.primary):
            try:
                cluster.stop()
            except (RuntimeError, subprocess.TimeoutExpired):
                cluster.kill()
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


class PgBouncer:
    """pgbouncer on a free port, pooling ``databases`` ({name: (host, port)}) in ``pool_mode``.

    ``server_settings`` are run on each new server connection (``connect_query``): with transaction
    pooling a client cannot set session parameters itself, so the statement timeout is set here.
    """

    def __init__(self, databases, *, pool_mode="transaction", pool_size=10, server_settings=None):
        self.home = owned_temporary_directory("metadata-service-pgbouncer-")
        self.port = free_port()
        self.process = None
        connect_query = "; ".join(f"SET {name} = {value}" for name, value in (server_settings or {}).items())
        extra = f" connect_query='{connect_query}'" if connect_query else ""
        lines = [f"{name} = host={host} port={port} dbname={name}{extra}" for name, (host, port) in databases.items()]
        (self.home / "users.txt").write_text(f'"{SUPERUSER}" ""\n')
        (self.home / "pgbouncer.ini").write_text(
            "[databases]\n" + "\n".join(lines) + "\n\n[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.home / 'users.txt'}\nadmin_users = {SUPERUSER}\n"
            f"pool_mode = {pool_mode}\ndefault_pool_size = {pool_size}\nmax_client_conn = 500\n"
            f"logfile = {self.home / 'pgbouncer.log'}\n"
        )
        if os.geteuid() == 0:
            entry = pwd.getpwnam(SERVER_USER)
            for path in self.home.iterdir():
                os.chown(path, entry.pw_uid, entry.pw_gid)

    def start(self):
        command = [shutil.which("pgbouncer"), str(self.home / "pgbouncer.ini")]
        self.process = subprocess.Popen(
            command, cwd=self.home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **as_server_user()
        )
        try:
            wait_for_port(self.port, self.process)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{self.log_text()[-2000:]}") from None
        return self

    def halt(self):
        """Stop at once (SIGTERM: pgbouncer 1.18 closes every connection), as a restart does."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def restart(self):
        self.halt()
        return self.start()

    def url(self, database):
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def log_text(self):
        path = self.home / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self):
        self.halt()
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
