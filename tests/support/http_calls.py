"""HTTP requests against a live gunicorn (``tests.live_server.Gunicorn``), for the reliability tests."""

import http.client
import json
from urllib.parse import urlsplit


def request(url, method="GET", *, token=None, body=None, raw_body=None, headers=None, timeout=30):
    """One request on a new connection: ``(status, headers, parsed JSON body or None)``.

    Connection errors are raised as they come, so callers can tell a refused connection (nothing
    was sent) from a reset one (a request in flight went unanswered).
    """
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    all_headers = {"Accept": "application/json", **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        raw_body = json.dumps(body).encode()
    if raw_body is not None:
        all_headers.setdefault("Content-Type", "application/json")
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(method, path, body=raw_body, headers=all_headers)
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    parsed = json.loads(content) if content and "json" in (response.headers["Content-Type"] or "") else None
    return response.status, response.headers, parsed
