"""WSGI entry point: ``gunicorn metadata_service.wsgi:application``.

Before serving, each read replica is checked: a second primary is refused (the worker does not boot),
one that does not answer is noted, and its reads go to the primary until it does.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metadata_service.settings")
application = get_wsgi_application()

from metadata_service.replicas import check_replicas_at_start  # noqa: E402  (needs the settings loaded above)

check_replicas_at_start()
