"""npm packages the end-to-end tests run, pinned here and installed by the tests into ``var/node``.

``var/node`` is a cache (not committed): npm installs into it once, and again only when a pin here
changes. Without node and npm on PATH, or when npm cannot install, the tests that need them skip and
say why.
"""

import json
import shutil
import subprocess

import pytest

from tests.support.live_server import ROOT

NODE_CACHE = ROOT / "var" / "node"
PINNED = {
    "axios": "1.21.1",  # the seed's Node GraphQL examples (tests/test_graphql_seed_examples.py)
    "openapi-typescript": "7.13.0",  # TypeScript types from the OpenAPI document (tests/test_generated_clients.py)
    "typescript": "5.9.3",  # tsc, to type-check a caller of those types
    "@api-platform/api-doc-parser": "0.16.10",  # what API Platform's Admin and client generator read the API with
}


def installed_version(package):
    manifest = NODE_CACHE / "node_modules" / package / "package.json"
    return json.loads(manifest.read_text())["version"] if manifest.exists() else None


def node_modules(*packages):
    """``var/node/node_modules`` with ``packages`` installed at their pinned versions (skips if npm cannot)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("this test runs Node tools: it needs node and npm on PATH, and this machine lacks them")
    missing = [f"{package}@{PINNED[package]}" for package in packages if installed_version(package) != PINNED[package]]
    if missing:
        command = [npm, "install", "--prefix", str(NODE_CACHE), "--no-audit", "--no-fund", "--save-exact", *missing]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            pytest.skip(f"npm could not install {' '.join(missing)}: {result.stderr.strip()[-500:]}")
    return NODE_CACHE / "node_modules"
