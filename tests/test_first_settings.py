"""Settings a newcomer meets first: a strong enough JWT secret, a database password of any characters,
and one embedded database for scripts/serve and manage.py."""

import os
import subprocess
import sys

import pytest

from tests.support.live_server import ROOT

pytestmark = pytest.mark.slow  # each test imports the settings in a process of its own

STRONG_SECRET_KEY = "s" * 50


def settings_print(expression, **environment):
    """Evaluate ``expression`` on the settings module in a fresh process with ``environment``."""
    removed = {"SECRET_KEY", "JWT_SECRET", "APP_ENV", "DEBUG", "DATABASE_URL", "DATABASE_PASSWORD"}
    env = {key: value for key, value in os.environ.items() if key not in removed}
    code = f"import metadata_service.settings as s; print({expression})"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**env, **environment}, capture_output=True, text=True
    )


@pytest.mark.parametrize("secret", ["k" * 31, "é" * 15, "short"])
def test_production_refuses_an_hs256_secret_under_32_bytes(secret):
    loaded = settings_print("1", APP_ENV="production", SECRET_KEY=STRONG_SECRET_KEY, JWT_SECRET=secret)

    assert loaded.returncode != 0
    assert "JWT_SECRET of at least 32 bytes" in loaded.stderr


@pytest.mark.parametrize("secret", ["k" * 32, "é" * 16])
def test_production_takes_an_hs256_secret_of_32_bytes(secret):
    loaded = settings_print("1", APP_ENV="production", SECRET_KEY=STRONG_SECRET_KEY, JWT_SECRET=secret)

    assert loaded.returncode == 0, loaded.stderr


def test_development_keeps_working_with_a_short_secret():
    assert settings_print("1", JWT_SECRET="short").returncode == 0


@pytest.mark.parametrize("password", ["p@ss/word:with#all?", "plain", "100%:@@//"])
def test_a_database_password_apart_from_the_url_is_used_as_it_is(password):
    loaded = settings_print(
        "s.DATABASES['default']['PASSWORD'], s.DATABASES['default']['HOST'], s.DATABASES['default']['NAME']",
        DATABASE_URL="postgres://metadata@db:5432/metadata",
        DATABASE_PASSWORD=password,
    )

    assert loaded.stdout.strip() == f"{password} db metadata"


def test_without_database_url_manage_py_uses_the_file_scripts_serve_uses():
    loaded = settings_print("s.DATABASES['default']['NAME']")

    assert loaded.stdout.strip() == str(ROOT / "var" / "db.sqlite3")
    assert 'DATABASE_URL="${DATABASE_URL:-sqlite:///$PWD/var/db.sqlite3}"' in (ROOT / "scripts" / "serve").read_text()
