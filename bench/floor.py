"""The "floor": the least a service can do for these requests, to measure the real one against.

A bare WSGI app: PyJWT verifies the token, one psycopg2 connection per worker process (kept
open), the same SQL a naive implementation sends (COUNT + OFFSET pages), orjson for the body.
No framework, no validation beyond what is needed to answer. Run under gunicorn by bench/run.py:

    gunicorn bench.floor:application   (with DATABASE_URL and JWT_SECRET set)
"""

import os
import re
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

import jwt
import orjson
import psycopg2

COLUMNS = "id, uuid, created_at, updated_at, owner, owner_uuid, title, slug, type, data, version, tenant_id"
FIELDS = (
    "id",
    "uuid",
    "createdAt",
    "updatedAt",
    "owner",
    "ownerUuid",
    "title",
    "slug",
    "type",
    "data",
    "version",
    "tenant",
)
ITEM_PATH = re.compile(r"^/metadatas/(?P<uuid>[0-9a-f-]{36})/?$")
SECRET = os.environ.get("JWT_SECRET", "development-only-jwt-secret-do-not-use-in-production")
_idle = []  # open connections not in use: one under a sync worker, one per concurrent request under gevent


@contextmanager
def cursor():
    connection = _idle.pop() if _idle else connect()
    try:
        with connection.cursor() as c:
            yield c
    finally:
        if not connection.closed:
            _idle.append(connection)


def connect():
    url = urlparse(os.environ["DATABASE_URL"])
    connection = psycopg2.connect(host=url.hostname, port=url.port or 5432, user=url.username, dbname=url.path[1:])
    connection.autocommit = True
    return connection


def as_item(row):
    item = dict(zip(FIELDS, row, strict=True))
    item["uuid"], item["tenant"] = str(item["uuid"]), str(item["tenant"])
    item["createdAt"] = item["createdAt"].isoformat()
    item["updatedAt"] = item["updatedAt"].isoformat()
    return item


def item(tenant, uuid):
    with cursor() as c:
        c.execute(f"SELECT {COLUMNS} FROM metadatas_metadata WHERE tenant_id = %s AND uuid = %s", [tenant, uuid])
        row = c.fetchone()
    return (200, as_item(row), {}) if row else (404, {"detail": "not found"}, {})


def listing(tenant, query):
    params = parse_qs(query)
    page, limit = int(params.get("page", ["1"])[0]), min(int(params.get("limit", ["10"])[0]), 100)
    where, args = ["tenant_id = %s"], [tenant]
    if "type" in params:
        where.append("type = %s")
        args.append(params["type"][0])
    if "title" in params:  # the service's condition (metadatas.title_search), on the same index
        term = params["title"][0].casefold()
        where.append(
            "deleted_at IS NULL AND title_search LIKE %s"
            " AND metadata_title_grams(tenant_id, title_search) @> metadata_title_grams(%s, %s)"
        )
        args.extend(["%" + term + "%", tenant, term])
    condition = " AND ".join(where)
    with cursor() as c:
        c.execute(f"SELECT count(*) FROM metadatas_metadata WHERE {condition}", args)
        total = c.fetchone()[0]
        c.execute(
            f"SELECT {COLUMNS} FROM metadatas_metadata WHERE {condition} ORDER BY id LIMIT %s OFFSET %s",
            [*args, limit, (page - 1) * limit],
        )
        rows = c.fetchall()
    return 200, [as_item(row) for row in rows], {"X-Total-Count": str(total)}


def application(environ, start_response):
    try:
        token = environ.get("HTTP_AUTHORIZATION", "").split()[-1]
        tenant = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp"]})["tenant"]
    except (IndexError, KeyError, jwt.InvalidTokenError):
        return respond(start_response, 401, {"detail": "unauthorized"}, {})
    path = environ["PATH_INFO"]
    match = ITEM_PATH.match(path)
    if match:
        return respond(start_response, *item(tenant, match.group("uuid")))
    if path.rstrip("/") == "/metadatas":
        return respond(start_response, *listing(tenant, environ.get("QUERY_STRING", "")))
    return respond(start_response, 404, {"detail": "not found"}, {})


def respond(start_response, status, body, headers):
    payload = orjson.dumps(body)
    reasons = {200: "200 OK", 401: "401 Unauthorized", 404: "404 Not Found"}
    start_response(
        reasons[status], [("Content-Type", "application/json"), ("Content-Length", str(len(payload))), *headers.items()]
    )
    return [payload]
