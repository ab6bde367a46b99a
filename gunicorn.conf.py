"""gunicorn settings for the metadata service (override any of them with GUNICORN_CMD_ARGS).

Chosen by measurement (bench/RESULTS.md, "gunicorn workers"): sync workers, two per core. A request
is a few hundred microseconds of Python around one or two database round trips; sync workers with
persistent connections serve that best on this kind of machine, threads add GIL contention, and more
processes than 2 x cores only add context switches and memory.
"""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
keepalive = 5
# Load Django once in the master: workers start faster and share the imported code's memory.
preload_app = True
# Recycle a worker now and then, so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
