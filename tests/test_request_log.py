"""One log line per request, with its request id; never a token, a query string or a body."""

import json
import logging
import urllib.error
import urllib.request

import pytest

from metadata_service.log_format import JSONFormatter
from tests.conftest import JSON, client_with, metadata_body, token_for
from tests.support.graphql_client import METADATA, graphql_client, run
from tests.support.live_server import gunicorn

pytestmark = pytest.mark.django_db
LOGGER = "metadata_service.requests"


@pytest.fixture
def request_lines(caplog):
    """The request log records of the test, as the service writes them."""
    caplog.set_level(logging.INFO, logger=LOGGER)
    return lambda: [record for record in caplog.records if record.name == LOGGER]


def test_each_request_logs_one_line_with_method_path_status_duration_tenant_and_id(api, tenant, request_lines):
    response = api.post("/metadatas", metadata_body(), format="json", **JSON)

    (record,) = request_lines()
    assert (record.method, record.path, record.status) == ("POST", "/metadatas", 201)
    assert record.tenant == str(tenant.uuid)
    assert record.request_id == response["X-Request-ID"]
    assert record.duration_ms > 0
    assert record.getMessage().startswith("POST /metadatas 201 ")


def test_a_graphql_request_logs_the_tenant_of_its_token(tenant, request_lines):
    run(graphql_client(tenant.uuid), METADATA, {"type": "ACCOUNT", "identifier": "A-1"})

    (record,) = request_lines()
    assert (record.path, record.status, record.tenant) == ("/v1/graphql/", 200, str(tenant.uuid))


def test_a_request_without_a_token_logs_no_tenant(client, request_lines):
    client.get("/metadatas")

    (record,) = request_lines()
    assert (record.status, record.tenant) == (401, None)
    assert record.levelno == logging.WARNING
    assert "tenant=-" in record.getMessage()


def test_the_callers_request_id_is_kept_and_echoed(api, request_lines):
    response = api.get("/metadatas", HTTP_X_REQUEST_ID="checkout-7f3a.42", **JSON)

    assert response["X-Request-ID"] == "checkout-7f3a.42"
    assert request_lines()[0].request_id == "checkout-7f3a.42"


def test_a_request_id_is_made_when_none_is_sent(client):
    first, second = client.get("/health/live"), client.get("/health/live")

    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize("forged", ["abc\nGET /admin 200", "x" * 129, "id with spaces"])
def test_a_request_id_that_could_forge_log_lines_is_replaced(client, request_lines, forged):
    response = client.get("/health/live", HTTP_X_REQUEST_ID=forged)

    assert response["X-Request-ID"] != forged
    assert request_lines()[0].request_id == response["X-Request-ID"]


def test_a_decoded_newline_in_the_path_stays_encoded_in_the_line(client, request_lines):
    client.get("/metadatas%0AGET%20/forged")

    message = request_lines()[0].getMessage()
    assert message.startswith("GET /metadatas%0AGET%20/forged 404 ") and "\n" not in message


def test_the_line_never_holds_the_token_the_query_or_the_body(tenant, request_lines):
    token = token_for(tenant.uuid)
    client_with(token).post(
        "/metadatas?secret=query-value", metadata_body(slug="body-secret-slug"), format="json", **JSON
    )

    (record,) = request_lines()
    for formatter in (logging.Formatter("%(message)s"), JSONFormatter()):
        line = formatter.format(record)
        assert token not in line and token.split(".")[1] not in line
        assert "query-value" not in line and "body-secret-slug" not in line


def test_the_json_format_is_one_object_per_line_with_the_request_fields(api, request_lines):
    api.get("/metadatas", HTTP_X_REQUEST_ID="trace-1", **JSON)

    document = json.loads(JSONFormatter().format(request_lines()[0]))
    assert {"time", "level", "logger", "message"} <= set(document)
    assert (document["method"], document["path"], document["status"], document["request_id"]) == (
        "GET",
        "/metadatas",
        200,
        "trace-1",
    )


@pytest.mark.e2e
def test_gunicorn_writes_json_lines_at_the_configured_level():
    with gunicorn(workers=1, LOG_FORMAT="json", LOG_LEVEL="WARNING") as server:
        urllib.request.urlopen(f"{server.url}/health/ready", timeout=10).read()
        request = urllib.request.Request(f"{server.url}/metadatas", headers={"X-Request-ID": "probe-401"})
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=10)
    lines = [json.loads(line) for line in server.log_lines() if line.startswith("{")]

    requests = [line for line in lines if line["logger"] == LOGGER]
    assert [(line["path"], line["status"], line["request_id"]) for line in requests] == [
        ("/metadatas", 401, "probe-401"),
    ]  # the 200s are INFO, below LOG_LEVEL=WARNING


def test_log_records_skip_the_thread_lookup_no_format_shows():
    record = logging.getLogger("metadata_service.requests").makeRecord("x", logging.INFO, "f", 1, "m", (), None)

    assert (record.thread, record.threadName, record.processName) == (None, None, None)
