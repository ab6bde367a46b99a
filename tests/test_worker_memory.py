"""What a worker holds (issue 12): the GraphQL stack only once /v1/graphql/ is asked, its static files still served."""

import subprocess
import sys

import pytest
from django.contrib.staticfiles import finders

from tests.support.live_server import ROOT

GRAPHQL_STACK = ("graphene", "graphene_django", "graphql", "graphql_relay")
LOADED_AT_BOOT = """
import sys
from metadata_service.wsgi import application
from django.urls import get_resolver
get_resolver().url_patterns  # the URLconf, as the first request loads it
print(" ".join(name for name in {stack!r} if name in sys.modules))
"""


@pytest.mark.slow
def test_a_booted_service_with_its_urlconf_has_not_imported_the_graphql_stack():
    code = LOADED_AT_BOOT.format(stack=GRAPHQL_STACK)
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)

    assert run.stdout.strip() == ""


def test_graphiqls_script_is_among_the_static_files_without_graphene_django_installed():
    assert finders.find("graphene_django/graphiql.js") is not None
