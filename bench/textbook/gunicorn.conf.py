"""gunicorn settings of the textbook: gunicorn's defaults (sync workers), the bench's port and worker count."""

import os

bind = os.environ["BIND"]
workers = int(os.environ.get("WEB_CONCURRENCY", 4))
accesslog = None
errorlog = "-"
control_socket_disable = True
raw_env = ["DJANGO_SETTINGS_MODULE=bench.textbook.settings"]
