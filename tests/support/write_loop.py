"""A client process that creates resources in a loop until the server is gone (or time runs out).

    python -m tests.write_loop URL TOKEN SECONDS [READY_AFTER]

Prints ``ready`` after READY_AFTER (default 1) acknowledged writes, then one JSON summary line: the uuids whose
creation was acknowledged (2xx), other statuses, connections refused (nothing sent) and requests
that were sent but answered by a reset or a closed connection (in flight, outcome unknown).
Standard library only, so it starts fast and shares nothing with the server.
"""

import http.client
import json
import sys
import time
import uuid
from urllib.parse import urlsplit

IN_FLIGHT_FAILURES = (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected, TimeoutError)


def create(host, port, token, slug):
    """POST one resource on a new connection; its status, or raise the connection error."""
    body = json.dumps({"owner": "write-loop", "title": {"en": slug}, "slug": slug, "type": "shutdown-test"})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Accept": "application/json"}
    connection = http.client.HTTPConnection(host, port, timeout=20)
    try:
        connection.connect()
    except ConnectionRefusedError:
        connection.close()
        raise
    try:
        connection.request("POST", "/metadatas", body, headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def main(url, token, seconds, ready_after=1):
    parts = urlsplit(url)
    summary = {"acknowledged": [], "statuses": {}, "refused": 0, "in_flight_failures": []}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        slug = f"w-{uuid.uuid4()}"
        try:
            status = create(parts.hostname, parts.port, token, slug)
        except ConnectionRefusedError:
            summary["refused"] += 1
            break  # the server has closed its socket: it is gone
        except IN_FLIGHT_FAILURES as exc:
            summary["in_flight_failures"].append(f"{slug}: {exc!r}")
            continue
        if 200 <= status < 300:
            summary["acknowledged"].append(slug)
            if len(summary["acknowledged"]) == ready_after:
                print("ready", flush=True)
        else:
            summary["statuses"][str(status)] = summary["statuses"].get(str(status), 0) + 1
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), *map(int, sys.argv[4:5]))
