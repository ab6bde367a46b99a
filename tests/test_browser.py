"""A person's view, in headless Chromium: the API docs and the admin, under gunicorn.

Drives Debian's chromium (``/usr/bin/chromium``, which scripts/test installs when it can) with
Playwright's Python package; no browser is downloaded. Screenshots go to ``test-output/``.
"""

import shutil
from pathlib import Path

import pytest
from django.conf import global_settings
from django.contrib.auth.models import User

from tests.support.live_server import ROOT, gunicorn

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-output"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not shutil.which("chromium"),
    reason="Debian's chromium is not installed at /usr/bin/chromium (scripts/test installs it with apt-get when "
    "run as root with network access); the browser test needs a real browser",
)


@pytest.fixture
def server(transactional_db, collected_static, tenant, make_metadata, settings):
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # gunicorn checks the password with these
    User.objects.create_superuser("operator", "operator@example.com", "browser-test-password")
    make_metadata(
        slug="sign-in-providers",
        type="authentication",
        owner="Team",
        title={"en": "Sign-in providers", "fr": "Fournisseurs de connexion"},
        data={"providers": ["GitLab", "Microsoft"], "default": "GitLab"},
    )
    with gunicorn(workers=2, DATABASE_CONN_MAX_AGE="60") as live:
        yield live


@pytest.fixture
def browser_page(server):
    """A Chromium page that records every request it makes and every answer of 400 or more."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.requested, page.failed = [], []
        page.on("request", lambda request: page.requested.append(request.url))
        page.on("response", lambda response: response.status >= 400 and page.failed.append(response.url))
        page.set_default_timeout(30_000)
        yield page
        browser.close()


@pytest.mark.e2e
def test_the_docs_page_renders_every_operation_from_local_assets(server, browser_page):
    page = browser_page

    page.goto(f"{server.url}/docs")
    page.wait_for_selector(".opblock-summary-path")

    paths = {text.strip() for text in page.locator(".opblock-summary-path").all_inner_texts()}
    page.screenshot(path=SCREENSHOTS / "docs.png")
    assert {"/metadatas", "/metadatas/{uuid}", "/health/ready", "/contexts/Metadata"} <= paths
    documented = page.evaluate("fetch('/docs/openapi.json').then(r => r.json())")["paths"]
    assert page.locator(".opblock").count() == sum(len(operations) for operations in documented.values())
    assert "Metadata service" in page.locator(".info .title").inner_text()
    assert page.get_by_role("link", name="GraphQL endpoint").get_attribute("href").rstrip("/") == "/v1/graphql"
    assert page.failed == []
    assert all(url.startswith(server.url) for url in page.requested), "the docs page reached off the host"


@pytest.mark.e2e
def test_the_docs_show_the_list_parameters_and_name_their_other_spellings(server, browser_page):
    page = browser_page
    page.goto(f"{server.url}/docs#/metadatas/metadatas_list")
    page.wait_for_selector("#operations-metadatas-metadatas_list .parameters")

    names = {text.split()[0] for text in page.locator(".parameter__name").all_inner_texts()}
    box = page.locator("#operations-metadatas-metadatas_list").bounding_box()
    page.screenshot(
        path=SCREENSHOTS / "docs-list-operation.png", full_page=True, clip={**box, "height": min(box["height"], 1800)}
    )  # the first parameters
    assert {"owner", "createdAt[before]", "order[title]", "page", "limit"} <= names
    descriptions = page.locator("#operations-metadatas-metadatas_list .parameters").inner_text()
    assert "owner[]=a&owner[]=b" in descriptions and "owner[0]=a&owner[1]=b" in descriptions


@pytest.mark.e2e
def test_an_operator_logs_in_and_opens_a_metadata_resource(server, browser_page):
    page = browser_page

    page.goto(f"{server.url}/admin/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", "browser-test-password")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    page.goto(f"{server.url}/admin/metadatas/metadata/")
    page.screenshot(path=SCREENSHOTS / "admin-metadata-list.png")
    page.click("text=sign-in-providers")
    page.wait_for_selector("#id_title")

    page.screenshot(path=SCREENSHOTS / "admin-metadata-change.png", full_page=True)
    assert page.input_value("#id_title") == '{\n  "en": "Sign-in providers",\n  "fr": "Fournisseurs de connexion"\n}'
    assert '"providers": [\n    "GitLab",' in page.input_value("#id_data")
    assert page.locator(".field-version .readonly").inner_text() == "1"
    header = page.evaluate("getComputedStyle(document.querySelector('#header')).backgroundColor")
    assert header not in ("rgba(0, 0, 0, 0)", "transparent"), "the admin CSS did not load"
    assert page.failed == []


@pytest.mark.e2e
def test_an_unfilled_try_it_out_of_the_list_shows_the_tenants_resources(server, browser_page, tenant):
    from tests.conftest import token_for

    page = browser_page
    page.goto(f"{server.url}/docs#/metadatas/metadatas_list")
    page.click("button.authorize")
    page.locator(".modal-ux input[type=text]").first.fill(token_for(tenant.uuid))
    page.locator(".modal-ux button.authorize").first.click()
    page.locator(".modal-ux button.btn-done").click()
    operation = page.locator("#operations-metadatas-metadatas_list")
    operation.locator("button.try-out__btn").click()
    with page.expect_response(
        lambda response: "/metadatas?" in response.url or response.url.endswith("/metadatas")
    ) as answer:
        operation.locator("button.execute").click()

    page.screenshot(path=SCREENSHOTS / "docs-try-it-out-list.png", full_page=True)
    response = answer.value
    sent = response.url.split("?", 1)[1] if "?" in response.url else ""
    assert response.status == 200, sent
    assert response.json()["hydra:totalItems"] == 1, f"Try it out sent {sent!r}"
    assert "sign-in-providers" in operation.locator(".responses-wrapper .live-responses-table").inner_text()
