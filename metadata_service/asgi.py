"""ASGI entry point, for servers that speak ASGI (the service is deployed with gunicorn/WSGI)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metadata_service.settings")
application = get_asgi_application()
