"""The GraphQL example clients, run against the service under gunicorn: the project's own and the seed's.

The project's examples (``docs/examples/``) run from the repository, so every clone runs them. The Kraken
seed's own examples, run unchanged but for URL and token, are read from the seed, which lives beside a
development clone, not in the project: without it those tests skip and say why. The Python examples use
requests (requirements-dev.txt); the Node ones use axios, which the tests install with npm into ``var/node``
(a cache, not committed; see tests/support/node_packages.py); without node and npm they skip and say why.
"""

import ast
import json
import os
import re
import subprocess
import sys

import pytest

from linked_metadata.models import LinkedMetadata
from tests.conftest import token_for
from tests.support.graphql_client import SEED_VALUE
from tests.support.live_server import ROOT
from tests.support.node_packages import node_modules as installed_node_modules
from tests.support.seeds import seed_file

SEED = seed_file("000_b3defde456e55df9.txt")
TOKEN_PLACEHOLDER = "PLACE_JWT_TOKEN_HERE"
SEED_URL = re.compile(r"https://[^\s\"']+/v1/graphql/")
# Where each kind of example starts, and the line that ends it.
EXAMPLE_KINDS = {
    "python": (re.compile(r"^import json$", re.M), re.compile(r"^pprint\.pprint\(.*\)$", re.M)),
    "node-commonjs": (re.compile(r'^const axios = require\("axios"\)$', re.M), re.compile(r"^\}\);$", re.M)),
    "node-esm": (re.compile(r"^import axios from 'axios';$", re.M), re.compile(r"^\}\);$", re.M)),
}
LINKED_OBJECTS = [("ACCOUNT", "A-154321"), ("ACCOUNT_USER", "some.test@email.com")]

EXAMPLES = ROOT / "docs" / "examples"
needs_the_seed = pytest.mark.skipif(not SEED.exists(), reason=f"the seed {SEED} is not beside this clone")


def seed_examples(kind):
    """The seed's examples of one kind, in the order the seed gives them (account, then account user)."""
    start, end = EXAMPLE_KINDS[kind]
    text = SEED.read_text()
    examples = []
    for opening in start.finditer(text):
        closing = end.search(text, opening.end())
        examples.append(text[opening.start() : closing.end()] + "\n")
    return examples


def for_this_server(example, url, token):
    """The example with only its URL and token replaced."""
    assert SEED_URL.search(example) and TOKEN_PLACEHOLDER in example, "the seed's example changed shape"
    return SEED_URL.sub(url, example).replace(TOKEN_PLACEHOLDER, token)


@pytest.fixture
def account_user_token(tenant):
    """The seed's caller: an account user holding account A-154321 and the email some.test@email.com."""
    return token_for(tenant.uuid, "AccountUser", accounts=["A-154321"], email="some.test@email.com")


@pytest.fixture(scope="session")
def node_modules():
    """axios, pinned, installed by npm into var/node."""
    return installed_node_modules("axios")


def run_example(command, environment=None, cwd=None):
    environment = {**os.environ, **(environment or {})}
    result = subprocess.run(command, cwd=cwd or ROOT, env=environment, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_stored(printed, linked_object_type, identifier):
    """The example printed the stored key and value, and the row is in the database."""
    metadata = printed["data"]["updateMetadata"]["metadata"]
    assert metadata["key"] == "some_unique_key"
    assert json.loads(metadata["value"]) == SEED_VALUE
    row = LinkedMetadata.objects.get(linked_object_type=linked_object_type, identifier=identifier)
    assert (row.key, row.value) == ("some_unique_key", SEED_VALUE)


@pytest.mark.e2e
@pytest.mark.parametrize("index", [0, 1], ids=["account", "account-user"])
def test_the_projects_python_example_stores_and_prints_the_metadata(server, account_user_token, tmp_path, index):
    environment = {"METADATA_SERVICE_URL": server, "METADATA_SERVICE_TOKEN": account_user_token}

    printed = run_example([sys.executable, str(EXAMPLES / "update_metadata.py"), *LINKED_OBJECTS[index]], environment)

    assert_stored(json.loads(printed), *LINKED_OBJECTS[index])


@pytest.mark.e2e
@pytest.mark.parametrize("index", [0, 1], ids=["account", "account-user"])
def test_the_projects_node_example_stores_and_prints_the_metadata(server, account_user_token, node_modules, index):
    environment = {"METADATA_SERVICE_URL": server, "METADATA_SERVICE_TOKEN": account_user_token}
    environment["NODE_PATH"] = str(node_modules)  # where require("axios") finds it

    printed = run_example(["node", str(EXAMPLES / "update-metadata.cjs"), *LINKED_OBJECTS[index]], environment)

    assert_stored(json.loads(printed), *LINKED_OBJECTS[index])


@needs_the_seed
def test_the_seed_has_each_example_for_an_account_and_an_account_user():
    for kind in EXAMPLE_KINDS:
        examples = seed_examples(kind)
        assert len(examples) == 2, kind
        for example, (linked_object_type, identifier) in zip(examples, LINKED_OBJECTS, strict=True):
            assert f'"{linked_object_type}"' in example and f'"{identifier}"' in example


@needs_the_seed
@pytest.mark.e2e
@pytest.mark.parametrize("index", [0, 1], ids=["account", "account-user"])
def test_the_seeds_python_example_stores_and_prints_the_metadata(server, account_user_token, tmp_path, index):
    script = tmp_path / "example.py"
    script.write_text(for_this_server(seed_examples("python")[index], f"{server}/v1/graphql/", account_user_token))

    printed = run_example([sys.executable, str(script)], cwd=tmp_path)

    assert_stored(ast.literal_eval(printed), *LINKED_OBJECTS[index])


@needs_the_seed
@pytest.mark.e2e
@pytest.mark.parametrize("kind, suffix", [("node-commonjs", ".cjs"), ("node-esm", ".mjs")], ids=["commonjs", "esm"])
@pytest.mark.parametrize("index", [0, 1], ids=["account", "account-user"])
def test_the_seeds_node_example_stores_and_prints_the_metadata(
    server, account_user_token, node_modules, tmp_path, kind, suffix, index
):
    (tmp_path / "node_modules").symlink_to(node_modules, target_is_directory=True)
    script = tmp_path / f"example{suffix}"
    script.write_text(for_this_server(seed_examples(kind)[index], f"{server}/v1/graphql/", account_user_token))

    printed = run_example(["node", str(script)], cwd=tmp_path)

    assert_stored(json.loads(printed), *LINKED_OBJECTS[index])
