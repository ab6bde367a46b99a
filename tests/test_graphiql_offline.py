"""GraphiQL in headless Chromium with every other host blocked: it loads from the service alone and runs queries.

Like tests/test_browser.py, it drives Debian's chromium with Playwright; requests to any host but the
service are aborted (and recorded), so a CDN asset would leave the page blank and fail the test.
"""

import json

import pytest

from linked_metadata.services import linked_metadata_upsert
from tests.conftest import token_for
from tests.support.history import TEST_ACTOR
from tests.test_browser import CHROMIUM, CHROMIUM_FLAGS, SCREENSHOTS, server  # noqa: F401
from tests.test_browser import pytestmark as needs_chromium

pytestmark = [needs_chromium, pytest.mark.e2e]

RESULT = ".result-window"


@pytest.fixture
def offline_page(server):  # noqa: F811
    """A Chromium page that may reach the service only; what it tried elsewhere is in ``page.blocked``."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.blocked, page.failed, page.errors = [], [], []

        def only_the_service(route):
            if route.request.url.startswith(server.url):
                route.continue_()
            else:
                page.blocked.append(route.request.url)
                route.abort("internetdisconnected")

        page.route("**/*", only_the_service)
        page.on("response", lambda response: response.status >= 400 and page.failed.append(response.url))
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.set_default_timeout(30_000)
        yield page
        browser.close()


def type_query(page, query):
    page.locator(".graphiql-query-editor .CodeMirror").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(query)


def run_in_graphiql(page):
    page.click(".graphiql-execute-button")
    page.wait_for_function(
        "sel => { const r = document.querySelector(sel); return r && r.innerText.includes('data'); }", arg=RESULT
    )
    return page.locator(RESULT).inner_text()


def test_graphiql_loads_offline_and_runs_a_query(server, offline_page):  # noqa: F811
    page = offline_page

    page.goto(f"{server.url}/v1/graphql/")
    page.wait_for_selector(".graphiql-execute-button")
    type_query(page, "{ __schema { mutationType { name } } }")
    result = run_in_graphiql(page)

    page.screenshot(path=SCREENSHOTS / "graphiql.png")
    assert '"name": "Mutation"' in result
    assert page.blocked == [], "GraphiQL tried to reach another host"
    assert page.failed == [] and page.errors == []


@pytest.fixture
def stored_pets(server, tenant):  # noqa: F811  (before the browser starts: Django refuses queries inside its loop)
    linked_metadata_upsert(
        tenant_id=tenant.uuid,
        linked_object_type="ACCOUNT",
        identifier="A-7",
        key="pets",
        value=["cat"],
        actor=TEST_ACTOR,
    )
    return token_for(tenant.uuid)


def test_graphiql_sends_the_token_from_its_headers_editor(server, stored_pets, offline_page):  # noqa: F811
    page = offline_page
    query = '{ metadata(linkedObjectType: ACCOUNT, identifier: "A-7") { key value } }'

    page.goto(f"{server.url}/v1/graphql/")
    page.wait_for_selector(".graphiql-execute-button")
    type_query(page, query)
    page.get_by_text("Headers", exact=True).click()
    page.locator(".graphiql-editor-tool .CodeMirror").last.click()
    page.keyboard.insert_text(json.dumps({"Authorization": f"JWT {stored_pets}"}))
    result = run_in_graphiql(page)

    page.screenshot(path=SCREENSHOTS / "graphiql-with-token.png")
    assert '"key": "pets"' in result
    assert page.blocked == []
