"""gunicorn settings for the metadata service (override any of them with GUNICORN_CMD_ARGS)."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# On SIGTERM a request in flight has this long to finish: at least the longest a request may take.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", timeout))
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"


def when_ready(server):
    """On SIGTERM the master first stops new connections from completing (see graceful_exit)."""
    from metadata_service.graceful_exit import close_the_door_on_stop

    close_the_door_on_stop(server)


def worker_exit(server, worker):
    """An exiting worker answers the connections already queued instead of leaving them to a reset."""
    from metadata_service.graceful_exit import serve_queued_connections

    serve_queued_connections(worker)
