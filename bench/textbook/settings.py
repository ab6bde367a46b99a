"""The textbook: what an afternoon with the DRF tutorial gives for the same API, to measure the service against.

A plain ``ModelViewSet`` with a ``ModelSerializer``, a django-filter ``FilterSet``, simplejwt's stateless
authentication, ``CONN_MAX_AGE=60`` and the middleware ``django-admin startproject`` writes. It reads the
service's own table (an unmanaged model) with the service's tokens. Run by bench/run.py:

    DJANGO_SETTINGS_MODULE=bench.textbook.settings gunicorn bench.textbook.wsgi:application
"""

import os

import dj_database_url

SECRET_KEY = "textbook-bench-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "bench.textbook",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "bench.textbook.urls"
DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTStatelessUserAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SIMPLE_JWT = {
    "SIGNING_KEY": os.environ.get("JWT_SECRET", "development-only-jwt-secret-do-not-use-in-production"),
    "USER_ID_CLAIM": "tenant",  # platform tokens name a tenant, not a user
    "TOKEN_TYPE_CLAIM": None,
    "JTI_CLAIM": None,
}
