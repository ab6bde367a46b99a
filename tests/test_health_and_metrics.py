"""Operators' endpoints: /health/live, /health/ready and /metrics answer without a token."""

import re
import socket
import urllib.error
import urllib.request

import pytest
from django.db import OperationalError, connections

from tests.support.live_server import free_port, gunicorn

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json; charset=utf-8"


def sample(metrics_text, name, **labels):
    """The value of one Prometheus sample, or 0 when it is absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in metrics_text.splitlines():
        match = re.match(r"^(\w+)\{(.*)\} (\S+)$", line)
        if match and match.group(1) == name and ",".join(sorted(match.group(2).split(","))) == wanted:
            return float(match.group(3))
    return 0.0


def scrape(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    return response.content.decode()


def test_liveness_answers_without_a_token_or_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/live")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert response["Cache-Control"] == "no-store"


def test_readiness_answers_200_when_the_database_answers(client):
    response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "databases": {"default": {"status": "ok"}}}


def test_readiness_is_a_503_problem_when_the_database_fails(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)

    response = client.get("/health/ready")

    assert (response.status_code, response["Content-Type"]) == (503, PROBLEM)
    assert response.json()["type"] == "/problems/service_unavailable"
    assert response["Retry-After"] == "5"


@pytest.mark.e2e
def test_with_no_database_gunicorn_is_live_but_not_ready():
    nowhere = f"postgres://postgres@127.0.0.1:{free_port()}/nowhere"

    with gunicorn(workers=1, DATABASE_URL=nowhere) as server:
        live = urllib.request.urlopen(f"{server.url}/health/live", timeout=10)
        with pytest.raises(urllib.error.HTTPError) as ready:
            urllib.request.urlopen(f"{server.url}/health/ready", timeout=10)

    assert live.status == 200
    assert ready.value.code == 503
    assert ready.value.headers["Content-Type"] == PROBLEM


def test_metrics_count_requests_by_route_template_and_status(client, api, make_metadata):
    metadata = make_metadata()
    labels = {"method": "GET", "route": "/metadatas/{uuid}", "status": "200"}
    before = sample(scrape(client), "http_requests_total", **labels)

    api.get(f"/metadatas/{metadata.uuid}")
    api.get(f"/metadatas/{metadata.uuid}/")

    assert sample(scrape(client), "http_requests_total", **labels) == before + 2


def test_metrics_time_requests_and_database_queries(client, api):
    text = scrape(client)
    latency_before = sample(text, "http_request_duration_seconds_count", method="GET", route="/metadatas")
    queries_before = sample(text, "db_query_duration_seconds_count", alias="default")

    api.get("/metadatas")

    text = scrape(client)
    assert sample(text, "http_request_duration_seconds_count", method="GET", route="/metadatas") == latency_before + 1
    assert sample(text, "db_query_duration_seconds_count", alias="default") >= queries_before + 2
    assert 'http_request_duration_seconds_bucket{le="0.1",method="GET",route="/metadatas"}' in text


def test_an_unrouted_path_is_counted_without_its_path(client):
    client.get("/no/such/path/12345")

    text = scrape(client)
    assert sample(text, "http_requests_total", method="GET", route="<unmatched>", status="404") >= 1
    assert "12345" not in text


def ready_count(server):
    """Requests to /health/ready (not /health/live, which the start-up probe may still be hitting)."""
    text = urllib.request.urlopen(f"{server.url}/metrics", timeout=10).read().decode()
    return sample(text, "http_requests_total", method="GET", route="/health/ready", status="200")


@pytest.mark.e2e
def test_metrics_add_up_every_gunicorn_worker():
    with gunicorn(workers=2) as server:
        before = ready_count(server)
        # One worker waits for the rest of this request, so the other one serves the next five.
        held = socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=10)
        held.sendall(b"GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        for _ in range(5):
            urllib.request.urlopen(f"{server.url}/health/ready", timeout=10).read()
        held.sendall(b"Connection: close\r\n\r\n")
        assert held.recv(100).startswith(b"HTTP/1.1 200")
        held.close()

        assert ready_count(server) == before + 6
