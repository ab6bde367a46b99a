"""HTTP requests against a live gunicorn (``tests.support.live_server.Gunicorn``), for the reliability tests."""

import http.client
import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
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


def call(method, url, token, body=None, **headers):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in headers.items():
        request.add_header(name.replace("_", "-"), value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, dict(response.headers), json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def burst(url, token, count=20, concurrency=6):
    """The statuses of ``count`` GETs sent ``concurrency`` at a time (so that several workers answer);
    sent again if the day's window turned over meanwhile."""
    while True:
        day = int(time.time() // 86400)
        with ThreadPoolExecutor(concurrency) as pool:
            statuses = list(pool.map(lambda _: request(url, token=token)[0], range(count)))
        if int(time.time() // 86400) == day:
            return statuses
