"""The answers gunicorn gives itself, before the service sees a request: statuses the README documents.

Requests too malformed or too big to parse (oversized or too many headers, bad framing, an over-long
request line) are refused by gunicorn with a short text/html page. The statuses are part of the API's
documented errors; the service behind keeps answering.
"""

import socket

import pytest

from tests.support.live_server import gunicorn

pytestmark = pytest.mark.e2e

TOO_MANY_HEADERS = "".join(f"X-H{number}: v\r\n" for number in range(150))
CASES = {
    "header value over 8190 bytes": ("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "a" * 9000 + "\r\n\r\n", 431),
    "more than 100 headers": ("GET /health/live HTTP/1.1\r\nHost: x\r\n" + TOO_MANY_HEADERS + "\r\n", 431),
    "request line over 8190 bytes": ("GET /health/live?" + "a" * 9000 + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    "malformed request line": ("GET\r\n\r\n", 400),
    "NUL in a header value": ("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Bad: a\x00b\r\n\r\n", 400),
    "unknown HTTP version": ("GET /health/live HTTP/7.1\r\nHost: x\r\n\r\n", 400),
    "Content-Length and Transfer-Encoding both": (
        "POST /metadatas HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        400,
    ),
    "two Content-Length values": (
        "POST /metadatas HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        400,
    ),
    "header name with a space": ("GET /health/live HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", 400),
}


@pytest.fixture(scope="module")
def live(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), gunicorn() as server:
        yield server


def raw_status(server, text):
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(text.encode())
        answer = b""
        while b"\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


@pytest.mark.parametrize("text, status", CASES.values(), ids=CASES.keys())
def test_gunicorn_refuses_it_with_the_documented_status(live, text, status):
    assert raw_status(live, text)[0] == status


def test_the_service_answers_after_every_refusal(live):
    for text, _ in CASES.values():
        raw_status(live, text)

    assert raw_status(live, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")[0] == 200
