"""gunicorn settings of the textbook: gunicorn's defaults (sync workers), the bench's port and worker count."""

workers = 4  # bench/run.py gives the port and the worker count on the command line (-b, -w)
accesslog = None
errorlog = "-"
control_socket_disable = True
raw_env = ["DJANGO_SETTINGS_MODULE=bench.textbook.settings"]
