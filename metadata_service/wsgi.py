"""WSGI entry point: ``gunicorn metadata_service.wsgi:application``.

Django's handler with the short routes of the hot reads (``metadata_service.short_routes``). Before
serving, each read replica is checked: a second primary is refused (the worker does not boot), one that
does not answer is noted, and its reads go to the primary until it does.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metadata_service.settings")
django.setup(set_prefix=False)  # as django.core.wsgi.get_wsgi_application does

from metadata_service.replicas import check_replicas_at_start  # noqa: E402  (needs the settings loaded above)
from metadata_service.short_routes import ShortRouteWSGIHandler  # noqa: E402

application = ShortRouteWSGIHandler()
check_replicas_at_start()
