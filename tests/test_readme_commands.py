"""The README's first steps, run as written from a fresh clone of the committed branch, after scripts/serve.

A newcomer clones, runs ``scripts/serve`` (no DATABASE_URL: the embedded SQLite file) and, in another
terminal, the README's "First steps" block. This test does the same in a temporary directory, with the
server bound to a free port (the block's ``127.0.0.1:8000`` is replaced by it) and within a time bound.

To keep the run short the clone's ``.venv`` is made from the running one (same pins) instead of a second
``pip install``; scripts/serve then finds its requirements installed, as on any later start. CI's own
fresh clone exercises the install itself (scripts/test).
"""

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import pytest
import requests

from tests.support.live_server import ROOT, free_port

pytestmark = pytest.mark.e2e

SERVE_TIMEOUT_SECONDS = 180
BLOCK_TIMEOUT_SECONDS = 120
MARKER = "<!-- The block below is run as written, from a fresh clone, by tests/test_readme_commands.py. -->"


def first_steps(readme):
    """The shell block right after the marker."""
    after = readme.split(MARKER, 1)[1]
    match = re.match(r"\s*```bash\n(.*?)\n```", after, re.DOTALL)
    assert match, "the README's first-steps block is missing"
    return match.group(1)


def fresh_clone(directory):
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    clone = directory / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", clone, "checkout", "--quiet", head.stdout.strip()], check=True)
    return clone


def venv_from_the_running_one(clone):
    """A .venv whose packages are this interpreter's, stamped as scripts/_venv.sh stamps an install."""
    venv = clone / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = Path(
        sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    )  # the new venv's own
    (site_packages / "outer-packages.pth").write_text(sysconfig.get_path("purelib") + "\n")
    (venv / "bin" / "gunicorn").write_text(
        f"#!{venv / 'bin' / 'python'}\nfrom gunicorn.app.wsgiapp import run\nrun()\n"
    )
    (venv / "bin" / "gunicorn").chmod(0o755)
    requirements = (clone / "requirements.txt").read_bytes()
    (venv / ".requirements.sha256").write_text(hashlib.sha256(requirements).hexdigest() + "\n")


def newcomers_environment(**extra):
    """A shell's environment: no DATABASE_URL, no test settings, the system PATH without any venv."""
    removed = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "PYTHONPATH", "PROMETHEUS_MULTIPROC_DIR"}
    env = {key: value for key, value in os.environ.items() if key not in removed}
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)
    return {**env, **extra}


def wait_until_serving(process, log, address):
    deadline = time.monotonic() + SERVE_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"scripts/serve exited:\n{log.read_text()}")
        try:
            if requests.get(f"{address}/health/live", timeout=2).status_code == 200:
                return log.read_text()
        except requests.RequestException:  # not listening yet, or the worker still booting
            pass
        time.sleep(0.5)
    raise AssertionError(f"scripts/serve did not answer within {SERVE_TIMEOUT_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def served_clone(tmp_path_factory):
    """A fresh clone served by its scripts/serve (once for this module: it takes most of a minute)."""
    tmp_path = tmp_path_factory.mktemp("readme")
    clone = fresh_clone(tmp_path)
    venv_from_the_running_one(clone)
    bind = f"127.0.0.1:{free_port()}"
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            ["scripts/serve"],
            cwd=clone,
            env=newcomers_environment(BIND=bind, WEB_CONCURRENCY="1"),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        printed = wait_until_serving(process, log, f"http://{bind}")
        yield clone, bind, printed
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.skipif(not Path("/usr/bin/curl").exists(), reason="the README's first steps use curl, not installed")
def test_the_readme_first_steps_work_as_written_on_a_fresh_clone(served_clone):
    clone, bind, printed = served_clone
    script = first_steps((clone / "README.md").read_text()).replace("127.0.0.1:8000", bind)

    ran = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=clone,
        env=newcomers_environment(),
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT_SECONDS,
    )

    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.count('"slug":"sign-in"') == 2  # created, then listed
    assert '"tenant":"3d6f0a52-8c1e-4b7a-9f2d-5e4c1b0a9d87"' in ran.stdout
    with sqlite3.connect(clone / "var" / "db.sqlite3") as database:  # the server's database, not another file
        assert database.execute("SELECT is_superuser FROM auth_user WHERE username = 'admin'").fetchone() == (1,)
    assert not (clone / "db.sqlite3").exists()
    admin = requests.Session()
    admin.get(f"http://{bind}/admin/login/", timeout=10)
    signed_in = admin.post(
        f"http://{bind}/admin/login/?next=/admin/",
        {"username": "admin", "password": "choose-a-password", "csrfmiddlewaretoken": admin.cookies["csrftoken"]},
        timeout=10,
    )
    assert signed_in.url.endswith("/admin/") and "Site administration" in signed_in.text


def test_scripts_serve_prints_the_address_it_binds(served_clone):
    _, bind, printed = served_clone

    assert f"Metadata service on http://{bind}" in printed
    assert f"http://{bind}/metadatas" in printed and f"http://{bind}/admin/" in printed
    assert "127.0.0.1:8000" not in printed
