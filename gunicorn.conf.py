"""gunicorn settings for the metadata service (override any of them with GUNICORN_CMD_ARGS).

Sync workers, two per core, preloaded. `bench/run --compare-workers sync:2,sync:4,gthread:2:4,...` measures
the alternatives (bench/RESULTS.md, "gunicorn workers"). On the shared development machine the runs
differed more between repeats of one set-up than between set-ups, so the default was not changed on
that evidence; fewer processes than 2 x cores never lost by much. Rerun on a quiet machine and set
WEB_CONCURRENCY / GUNICORN_WORKER_CLASS / GUNICORN_THREADS from it. A request is ~1-3 ms of Python
around one or two round trips; threads (gthread) overlap the waits but share one GIL per process.
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
