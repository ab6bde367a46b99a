"""Soak test of optimistic locking: several processes read-modify-write the same few resources.

Run through ``scripts/soak`` (it prepares the environment and the database). Serves the app with
gunicorn on a free port against PostgreSQL, creates RESOURCES resources, then runs PROCESSES client
processes for SECONDS: each loops GET a random resource -> PUT ``data.count + 1`` with the version it
read; a 409 means another writer won, so it reads again. At the end, for every resource:

    version == 1 + successful updates   and   data.count == successful updates

A lost update would leave ``count`` short of the successes; a double-applied one would break the
version. Any 5xx, reset or timeout also fails the run. Exit code 0 when everything held.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import sys
import time
from collections import Counter

from live_service import NO_RATE_LIMITS, prepare, serving


def call(port, method, path, token, body=None):
    """One request on a new connection: (status, parsed body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    payload = None
    if body is not None:
        payload = json.dumps(body)
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, payload, headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None
    finally:
        connection.close()


def client(port, token, paths, seconds, results):
    """One client process: read-modify-write loops until the time is up; counts per resource."""
    successes, outcomes = Counter(), Counter()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        path = random.choice(paths)
        try:
            status, item = call(port, "GET", path, token)
            outcomes[f"GET {status}"] += 1
            if status != 200:
                continue
            body = {"data": {"count": item["data"]["count"] + 1}, "version": item["version"]}
            status, _ = call(port, "PUT", path, token, body)
        except (OSError, http.client.HTTPException) as exc:
            outcomes[f"error {type(exc).__name__}"] += 1
            continue
        outcomes[f"PUT {status}"] += 1
        if status == 200:
            successes[path] += 1
    results.put((dict(successes), dict(outcomes)))


def run(arguments):
    token = prepare(ttl_seconds=arguments.seconds + 600)
    with serving(arguments.workers, env=NO_RATE_LIMITS) as port:
        paths = [create_resource(port, token, number) for number in range(arguments.resources)]
        results = multiprocessing.Queue()
        clients = [
            multiprocessing.Process(target=client, args=(port, token, paths, arguments.seconds, results))
            for _ in range(arguments.processes)
        ]
        started = time.monotonic()
        for process in clients:
            process.start()
        reports = [results.get(timeout=arguments.seconds + 120) for _ in clients]
        for process in clients:
            process.join(timeout=30)
        elapsed = time.monotonic() - started
        final = {path: call(port, "GET", path, token)[1] for path in paths}
    return summarise(arguments, paths, reports, final, elapsed)


def create_resource(port, token, number):
    slug = f"soak-{int(time.time())}-{os.getpid()}-{number}"
    body = {"owner": "soak", "title": {"en": slug}, "slug": slug, "type": "soak", "data": {"count": 0}}
    status, created = call(port, "POST", "/metadatas", token, body)
    if status != 201:
        raise SystemExit(f"could not create a resource: {status} {created}")
    return f"/metadatas/{created['uuid']}"


def summarise(arguments, paths, reports, final, elapsed):
    successes, outcomes = Counter(), Counter()
    for process_successes, process_outcomes in reports:
        successes.update(process_successes)
        outcomes.update(process_outcomes)
    resources = []
    for path in paths:
        item = final[path]
        held = item["version"] == 1 + successes[path] and item["data"]["count"] == successes[path]
        resources.append(
            {
                "resource": path,
                "successful_updates": successes[path],
                "version": item["version"],
                "count": item["data"]["count"],
                "held": held,
            }
        )
    unexpected = {key: value for key, value in outcomes.items() if key not in ("GET 200", "PUT 200", "PUT 409")}
    return {
        "seconds": round(elapsed, 1),
        "processes": arguments.processes,
        "gunicorn_workers": arguments.workers,
        "resources": resources,
        "http_requests": sum(value for key, value in outcomes.items() if key.startswith(("GET", "PUT"))),
        "updates_succeeded": outcomes["PUT 200"],
        "updates_refused_409": outcomes["PUT 409"],
        "unexpected": unexpected,
        "held": all(resource["held"] for resource in resources) and not unexpected,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--processes", type=int, default=6)
    parser.add_argument("--resources", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    summary = run(parser.parse_args())
    print(json.dumps(summary, indent=2))
    verdict = "HELD" if summary["held"] else "BROKEN"
    print(
        f"{verdict}: {summary['updates_succeeded']} updates succeeded, {summary['updates_refused_409']} refused (409)"
        f" over {summary['seconds']} s; every version equals 1 + its successful updates: {summary['held']}"
    )
    sys.exit(0 if summary["held"] else 1)


if __name__ == "__main__":
    main()
