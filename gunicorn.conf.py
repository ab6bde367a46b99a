"""gunicorn settings for the metadata service (override any of them with GUNICORN_CMD_ARGS).

gevent workers, one per available core (the container's CPU quota, not the host's core count), each
holding up to 1,000 connections, chosen by `bench/run --compare-workers` (bench/RESULTS.md, "gunicorn
set-ups"). On the shared 2-core machine sync:4, gthread:2:8, gevent:2 and gevent:4 served item and
list reads within the spread of repeated runs of one another (gthread a little ahead under keep-alive),
but only gevent keeps answering while clients misbehave or wait: with 50 clients that sent headers
(Content-Length: 1000) and never their body, and 1,000 more idle connections, /health/live answered
in < 0.01 s under gevent and not within 5 s under sync or gthread (each slow client holds a thread).
Long-poll waiters (the change feed) are then greenlets, not threads. psycopg2 waits cooperatively
(psycogreen) and a worker's greenlets share a pool of DATABASE_POOL_SIZE connections (default 4, see
metadata_service/pooled_postgresql). WEB_CONCURRENCY / GUNICORN_WORKER_CLASS / GUNICORN_THREADS /
GUNICORN_WORKER_CONNECTIONS change it; GUNICORN_WORKER_CLASS=sync brings back round 1's set-up.
"Per core" counts the CPUs the process may use: its affinity capped by a container's CPU limit,
cgroup v2 or v1 (usable_cpus).
"""

import gc
import math
import os
import shutil
import tempfile
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")


def usable_cpus(cgroup=CGROUP):
    """The CPUs this process may use: its affinity, capped by a container's CPU limit (cgroup v2 or v1).

    ``os.cpu_count()`` counts the host's CPUs, so a container limited to 2 CPUs on a 64-core host would
    start 128 workers.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = _cpu_quota(cgroup)
    return max(1, min(cpus, math.ceil(quota))) if quota else cpus


def _cpu_quota(cgroup):
    try:
        limit, period = (cgroup / "cpu.max").read_text().split()  # v2: "200000 100000" or "max 100000"
        return None if limit == "max" else int(limit) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota = int((cgroup / "cpu" / "cpu.cfs_quota_us").read_text())  # v1: -1 when unlimited
        return None if quota <= 0 else quota / int((cgroup / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None


bind = os.environ.get("BIND", "127.0.0.1:8000")
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gevent")
workers = int(os.environ.get("WEB_CONCURRENCY", usable_cpus()))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# Connections one gevent worker holds at once: idle keep-alive clients, slow clients, long-poll waiters.
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", 1000))


# Memory and GC pauses (issue 12). The master loads the application once and forks its workers from it
# (preload_app): the modules, settings and URLconf are then pages the workers share with the master instead of
# copies each builds for itself (bench/RESULTS.md: peak RSS per worker 98 -> 85 MiB, PSS 73 -> 37 MiB).
# GUNICORN_PRELOAD=0 loads it in each worker again.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
# Under gevent the master monkey-patches before that load, as each worker would before its own: the locks,
# thread-locals and sockets made while importing must be gevent's. Only when gunicorn itself reads this file
# (it names the module __config__): a test that loads it to read a setting must not patch its own process.
if preload_app and worker_class.startswith("gevent") and __name__ == "__config__":
    from gevent import monkey

    monkey.patch_all()


ACCEPTS_PER_WAKEUP = int(os.environ.get("GUNICORN_ACCEPTS_PER_WAKEUP", 1))
# New connections spread evenly over the gevent workers (metadata_service/accept_balance.py): a keep-alive client
# stays on the worker that accepted it, and the first worker awake used to take far more than its share.
BALANCE_CONNECTIONS = worker_class.startswith("gevent") and os.environ.get("GUNICORN_BALANCE_CONNECTIONS", "1") != "0"
_connection_table = None


def pre_fork(server, worker):
    """In the master, before each fork: the worker's slot in the table of connections per worker."""
    global _connection_table
    if BALANCE_CONNECTIONS:
        from metadata_service.accept_balance import ConnectionTable

        _connection_table = _connection_table or ConnectionTable()
        taken = {getattr(live, "connection_slot", None) for live in server.WORKERS.values()}
        worker.connection_slot = _connection_table.claim(taken)


def post_fork(server, worker):
    """Under gevent, psycopg2 waits for PostgreSQL cooperatively: other greenlets run meanwhile. On SIGTERM
    the worker ends its waiting readers (change feed) at once (metadata_service/graceful_exit.py)."""
    from metadata_service.graceful_exit import announce_worker_stop

    announce_worker_stop(worker)
    if worker_class.startswith("gevent"):
        from gevent.baseserver import BaseServer
        from psycogreen.gevent import patch_psycopg

        patch_psycopg()
        # One connection per accept wake-up (gevent's default takes up to 100): a burst of new keep-alive
        # connections is then spread over the workers instead of piling onto the first one awake, which
        # would serve them all for as long as they stay open while the other workers idle.
        BaseServer.max_accept = ACCEPTS_PER_WAKEUP
        if BALANCE_CONNECTIONS:
            from gunicorn.workers import ggevent

            from metadata_service.accept_balance import balanced_server_class

            ggevent.StreamServer = balanced_server_class(_connection_table, worker.connection_slot)


# Graceful stop (metadata_service/graceful_exit.py): on SIGTERM no new connection is let in, and every
# request already let in is answered within graceful_timeout (keep it >= timeout, the longest a request runs).
def when_ready(server):
    """On SIGTERM the master first stops new connections from completing. Called before the first fork."""
    from metadata_service.graceful_exit import close_the_door_on_stop

    close_the_door_on_stop(server)
    if preload_app:
        share_the_loaded_app()


def share_the_loaded_app():
    """In the master, once the application is loaded and before any worker is forked: no database connection
    may be inherited (each worker opens its own, from its own pool), and the objects of the loaded app go to
    the GC's permanent generation, so a worker's collections neither scan them nor, by touching their
    headers, copy the pages they share with the master.

    Measured (issue 12): a full collection of a worker's ~110,000 objects took 49-68 ms of CPU, a pause of
    every request of that worker; with them frozen, under 0.1 ms. Gen-0 collections under wrk -c16 cost
    about 25 ms of CPU per 12 s in all (max 2.8 ms): a higher gen-0 threshold measured no difference in
    p50/p99, so the default stays."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.close()
        if hasattr(connection, "closeall"):  # the worker's pool (metadata_service/pooled_postgresql)
            connection.closeall()
    gc.collect()
    gc.freeze()


def post_request(worker, req, environ, resp):
    """A worker recycled after ``max_requests`` ends its waiting readers too, as on SIGTERM."""
    from metadata_service.graceful_exit import announce_self_stop

    announce_self_stop(worker)


def worker_exit(server, worker):
    """An exiting worker answers the connections already queued instead of leaving them to a reset."""
    from metadata_service.graceful_exit import serve_queued_connections

    serve_queued_connections(worker)


timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# Recycle a worker now and then, so a slow leak cannot grow without bound. Not too often: a gevent worker
# serves up to ~1,000 requests a second here, and while one is replaced (about two seconds: gunicorn's
# worker notices its stop once a second, the master forks the next one after it exits) the others carry
# its load; at 20,000 that happened every 20 s under load, and put 0.4 s stalls in the bench's p99.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 200000))
max_requests_jitter = max_requests // 10
# The longest request line accepted (gunicorn's maximum): list queries with many filter values are long.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", 8190))
# The application logs one line per request (with tenant and request id, see LOG_FORMAT); gunicorn's own
# access log would repeat it, so it is off unless GUNICORN_ACCESS_LOG names a file ("-" for stderr).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# gunicorn's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl), shared by every
# gunicorn the user runs, and the container's home is read-only; nothing here uses gunicornc.
control_socket_disable = True

# Prometheus multiprocess mode: each worker writes its samples to files in this directory and /metrics adds
# them up. It must be set before a worker imports prometheus_client, hence here, in the master.
OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="metadata-service-metrics-")


def on_starting(server):
    """Start from zero: samples of an earlier run must not be added to this one's."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        os.remove(os.path.join(directory, name))


def child_exit(server, worker):
    if _connection_table is not None and hasattr(worker, "connection_slot"):
        _connection_table.release(worker.connection_slot)
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
