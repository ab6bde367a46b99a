"""The request id is on every log record made while a request is served, not only on the request's line."""

import json
import logging

import pytest

from metadata_service.log_context import RequestIdFilter
from metadata_service.log_format import JSONFormatter, TextFormatter
from tests.conftest import JSON

pytestmark = pytest.mark.django_db
APP_LOGGER = "metadatas.test_probe"
ORDERED_LIST = "/metadatas?order[id]=desc"


@pytest.fixture
def records(caplog, monkeypatch):
    """Log records as the console handler sees them (through its request id filter)."""
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    return caplog


@pytest.fixture
def logging_view(monkeypatch):
    """Make the list view log a warning of its own, as a fault deep in a request would.

    The requests below order the list, so the viewset answers them (a plain or filtered page takes
    metadatas/list_read.py)."""
    from metadatas.views import MetadataViewSet

    original = MetadataViewSet.list

    def list_and_log(self, request, *args, **kwargs):
        logging.getLogger(APP_LOGGER).warning("something to look into")
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(MetadataViewSet, "list", list_and_log)


def test_a_record_made_inside_a_request_carries_its_request_id(api, records, logging_view):
    response = api.get(ORDERED_LIST, HTTP_X_REQUEST_ID="trace-me-42", **JSON)

    (probe,) = [record for record in records.records if record.name == APP_LOGGER]
    assert response["X-Request-ID"] == probe.request_id == "trace-me-42"


def test_both_log_formats_write_it(api, records, logging_view):
    api.get(ORDERED_LIST, HTTP_X_REQUEST_ID="trace-me-43", **JSON)
    (probe,) = [record for record in records.records if record.name == APP_LOGGER]

    assert TextFormatter().format(probe).endswith("something to look into request_id=trace-me-43")
    assert json.loads(JSONFormatter().format(probe))["request_id"] == "trace-me-43"


def test_a_record_made_outside_any_request_has_none(records):
    logging.getLogger(APP_LOGGER).warning("at start")

    (probe,) = [record for record in records.records if record.name == APP_LOGGER]
    assert not hasattr(probe, "request_id")
    assert "request_id" not in TextFormatter().format(probe)


def test_the_request_line_names_its_id_once_in_text(api, records):
    api.get("/metadatas", HTTP_X_REQUEST_ID="trace-me-44", **JSON)

    (line,) = [record for record in records.records if record.name == "metadata_service.requests"]
    assert TextFormatter().format(line).count("trace-me-44") == 1


def test_a_favicon_request_is_answered_and_not_logged_as_a_warning(client, records):
    response = client.get("/favicon.ico")

    assert response.status_code == 204
    assert not [record for record in records.records if record.levelno >= logging.WARNING]
