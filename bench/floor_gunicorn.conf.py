"""gunicorn settings of the floor app: the service's worker set-up, none of its hooks (metrics, logs).

The worker class is the service's (gunicorn.conf.py: gevent unless GUNICORN_WORKER_CLASS says otherwise), so
that the ratio to the floor measures the application, not the server model. bench/run.py also runs this app
under sync workers ("sync floor"): no greenlet per connection, so it is the faster floor with connections
closed per request, and the stricter yardstick.
"""

import os

workers = 4  # bench/run.py gives the port and the worker count on the command line (-b, -w)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gevent")
threads = int(os.environ.get("GUNICORN_THREADS", 1))
keepalive = 5
accesslog = None
errorlog = "-"
control_socket_disable = True


def post_fork(server, worker):
    """Under gevent, psycopg2 waits cooperatively (as the service's workers do), or a query would stop the worker."""
    if worker_class.startswith("gevent"):
        from psycogreen.gevent import patch_psycopg

        patch_psycopg()
