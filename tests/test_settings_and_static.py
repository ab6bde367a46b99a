"""Settings from the environment: production refuses default secrets, security headers, static files."""

import os
import subprocess
import sys
import urllib.request

import pytest
from django.test import Client

from tests.support.live_server import ROOT, gunicorn

pytestmark = pytest.mark.django_db


def settings_load(**environment):
    """Import the settings in a fresh process with ``environment``; the process prints DEBUG."""
    env = {
        key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "JWT_SECRET", "APP_ENV", "DEBUG"}
    }
    code = "import metadata_service.settings as s; print(s.DEBUG)"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**env, **environment}, capture_output=True, text=True
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("secrets", "refused"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "change-me-to-a-long-random-string", "JWT_SECRET": "k" * 40}, "SECRET_KEY"),
        ({"SECRET_KEY": "s" * 50, "JWT_SECRET": "change-me-to-another-long-random-string"}, "JWT_SECRET"),
    ],
)
def test_production_refuses_default_and_placeholder_secrets(secrets, refused):
    loaded = settings_load(APP_ENV="production", **secrets)

    assert loaded.returncode != 0
    assert f"APP_ENV=production needs a {refused} of its own" in loaded.stderr


@pytest.mark.slow
def test_production_starts_with_secrets_of_its_own():
    assert settings_load(APP_ENV="production", SECRET_KEY="s" * 50, JWT_SECRET="k" * 40).returncode == 0


@pytest.mark.slow
def test_debug_is_off_unless_asked_for():
    assert settings_load().stdout.strip() == "False"
    assert settings_load(DEBUG="true").stdout.strip() == "True"


def test_answers_carry_the_security_headers(client):
    response = client.get("/health/live")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # plain local http: HSTS would be wrong here


def test_behind_tls_hsts_is_sent_when_configured(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True

    response = Client().get("/health/live", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_https_redirect_spares_probes_and_scrapers(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()

    assert client.get("/metadatas").status_code == 301
    assert client.get("/health/live").status_code == 200
    assert client.get("/metrics").status_code == 200


@pytest.mark.e2e
def test_gunicorn_serves_the_admin_css_and_the_swagger_ui_assets(collected_static):
    with gunicorn(workers=1) as server:
        css = urllib.request.urlopen(f"{server.url}/static/admin/css/base.css", timeout=10)
        bundle = urllib.request.urlopen(
            f"{server.url}/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", timeout=10
        )

    assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
    assert bundle.status == 200 and len(bundle.read()) > 100_000
