"""gunicorn settings for the metadata service (override any of them with GUNICORN_CMD_ARGS)."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "sync"


# Graceful stop (metadata_service/graceful_exit.py): on SIGTERM no new connection is let in, and every
# request already let in is answered within graceful_timeout (keep it >= timeout, the longest a request runs).
def when_ready(server):
    """On SIGTERM the master first stops new connections from completing."""
    from metadata_service.graceful_exit import close_the_door_on_stop

    close_the_door_on_stop(server)


def worker_exit(server, worker):
    """An exiting worker answers the connections already queued instead of leaving them to a reset."""
    from metadata_service.graceful_exit import serve_queued_connections

    serve_queued_connections(worker)


timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
