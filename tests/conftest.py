"""Shared fixtures: two tenants, real signed JWTs, API clients and a resource factory."""

import os
import uuid

import pytest
import rest_framework.test
from cryptography.hazmat.primitives import serialization
from django.core.cache import cache
from rest_framework.test import APIClient

from metadata_service.short_routes import ShortRoutes
from metadatas.models import Metadata
from tenants.models import Tenant
from tenants.tokens import issue_platform_token
from tests.support.live_server import gunicorn

TENANT_A = uuid.UUID("e5a2120d-6bf7-4c58-a900-bac1e55e986b")
TENANT_B = uuid.UUID("0b9a54d4-7a1e-4a6c-9f65-0a7c1d0d3c11")
JSON = {"HTTP_ACCEPT": "application/json"}
JSONLD = {"HTTP_ACCEPT": "application/ld+json"}


class ShortRouteClientHandler(ShortRoutes, rest_framework.test.ForceAuthClientHandler):
    """The test client's handler with the short routes, as gunicorn serves them (metadata_service.wsgi)."""


# Every APIClient of the tests then sends a hot read through the short chain, as production does.
DJANGO_PATH_HANDLER = rest_framework.test.ForceAuthClientHandler
rest_framework.test.ForceAuthClientHandler = ShortRouteClientHandler  # type: ignore[misc]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database of this run's own (its pid in the name), so two runs on one server never share one."""
    from django.conf import settings

    for database in settings.DATABASES.values():
        test = database.setdefault("TEST", {})
        if test.get("MIRROR"):
            continue
        if database["ENGINE"].endswith("sqlite3"):
            name = test.get("NAME") or str(settings.BASE_DIR / "var" / "test-db.sqlite3")
            test["NAME"] = name.replace(".sqlite3", f"-{os.getpid()}.sqlite3")
        else:
            test["NAME"] = f"{test.get('NAME') or 'test_' + database['NAME']}_{os.getpid()}"


@pytest.hookimpl(tryfirst=True)  # before pytest applies -m
def pytest_collection_modifyitems(items):
    """A ``slow`` test is left out of the inner loop too: ``-m "not e2e"`` runs only the quick specifications."""
    for item in items:
        if item.get_closest_marker("slow") and not item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.e2e)


def token_for(tenant_id, identity_type="System", **claims):
    return issue_platform_token(tenant_id=tenant_id, identity_type=identity_type, **claims)


def client_with(token, scheme="Bearer"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token}".strip())
    return client


@pytest.fixture
def tenant(db):
    return Tenant.objects.create(uuid=TENANT_A, name="Tenant A")


@pytest.fixture
def other_tenant(db):
    return Tenant.objects.create(uuid=TENANT_B, name="Tenant B")


@pytest.fixture
def api(tenant):
    """A client of tenant A holding a System token."""
    return client_with(token_for(tenant.uuid))


@pytest.fixture
def other_api(other_tenant):
    """A client of tenant B holding a System token."""
    return client_with(token_for(other_tenant.uuid))


def metadata_body(**overrides):
    body = {
        "owner": "BusinessUnit",
        "ownerUuid": "c11c546e-bd01-47cf-97da-e25388357b5a",
        "title": {"en": "OAuth Providers"},
        "slug": "oauth-providers",
        "type": "authentication",
        "data": ["Github", "Google", "Twitter"],
    }
    body.update(overrides)
    return body


@pytest.fixture
def make_metadata(tenant):
    """Store a resource directly (not through the API) in tenant A, or in ``tenant=`` another."""
    counter = iter(range(1, 10**6))

    def make(tenant=tenant, **fields):
        number = next(counter)
        values = {
            "owner": "BusinessUnit",
            "title": {"en": f"Resource {number}"},
            "slug": f"resource-{number}",
            "type": "authentication",
            "data": {},
        }
        values.update(fields)
        return Metadata.objects.create(tenant=tenant, **values)

    return make


def violation_paths(response):
    return {violation["propertyPath"] for violation in response.json()["violations"]}


@pytest.fixture
def require_postgres(db):
    """Skip, saying why, where the test database is not PostgreSQL (planner estimates, GIN indexes)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(f"needs PostgreSQL; the test database is {connection.vendor}")


@pytest.fixture
def two_per_minute_per_token(settings, monkeypatch):
    """A token may send two requests a minute, on a frozen throttle clock.

    A 429's detail counts whole seconds to the window's end; the frozen clock keeps two 429s comparable
    however long apart they are sent.
    """
    from types import SimpleNamespace

    from tenants import throttling

    monkeypatch.setattr(throttling, "time", SimpleNamespace(time=lambda: 1_000_000_030.5))
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "token": "2/min"}}


@pytest.fixture
def tenant_cache(settings):
    """The shared tenant cache as in production: Redis (TEST_CACHE_URL, default db 15), a prefix per test."""
    import os

    import redis

    url = os.environ.get("TEST_CACHE_URL", "redis://127.0.0.1:6379/15")
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"needs Redis at {url} for the shared tenant cache: {exc}")
    prefix = f"test-{uuid.uuid4()}"
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "REDIS_URL": url, "REDIS_KEY_PREFIX": prefix}
    yield {"url": url, "prefix": prefix}
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Django's default hasher spends ~0.3 s per password on purpose; tests only need the check to work."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pem_pair(private_key):
    """(private PEM, public PEM) of a cryptography private key, as JWT_PRIVATE_KEY / JWT_PUBLIC_KEY hold them."""
    private = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@pytest.fixture(autouse=True)
def fresh_rate_limit_counters():
    """Each test starts with no request counted against any rate limit (they live in the cache)."""
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_planner_estimates(monkeypatch):
    """Each test starts with no list total estimated by an earlier one (kept for seconds per process, by
    tenant: the tests' tenants have the same ids)."""
    monkeypatch.setattr("metadatas.counting._estimates", {})


@pytest.fixture(scope="session")
def collected_static(django_db_blocker):
    """What gunicorn serves from STATIC_ROOT through WhiteNoise: ``collectstatic``, as scripts/serve runs it."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture
def server(transactional_db):
    """A gunicorn serving the app on a free port, against the test database; yields its base URL."""
    with gunicorn() as live:
        yield live.url


# --- Servers of our own: a primary with a streaming standby, and pgbouncer (tests/support/pg_clusters.py) ---------

PAIR_DATABASE = "metadata_service"


def skip_unless_servers(**needs):
    from tests.support.pg_clusters import why_not_available

    reason = why_not_available(**needs)
    if reason:
        print(f"skipping: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def replica_pair():
    """A PostgreSQL primary and its streaming hot standby on free ports, migrated, with tenant A; once a run."""
    from tests.support.pg_clusters import ReplicaPair, migrate

    skip_unless_servers()
    with ReplicaPair() as pair:
        pair.create_database(PAIR_DATABASE)
        migrate(pair.primary.url(PAIR_DATABASE), tenant=TENANT_A)
        pair.wait_until_replayed()
        yield pair


@pytest.fixture(scope="session")
def pgbouncer(django_db_setup, django_db_blocker):
    """pgbouncer in transaction pooling mode in front of the test database, on a free port; once a run.

    It depends on the test database's set-up so that it stops (closing its server connections) before
    the test database is dropped. The statement timeout a session cannot set itself is set per server
    connection, as an operator would set it (README "pgbouncer").
    """
    from django.db import connection

    from tests.support.pg_clusters import PgBouncer

    skip_unless_servers(pgbouncer=True)
    if connection.vendor != "postgresql":
        pytest.skip(f"pgbouncer pools PostgreSQL connections; the test database is {connection.vendor}")
    database = connection.settings_dict
    target = {database["NAME"]: (database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432))}
    with PgBouncer(
        target, pool_mode="transaction", pool_size=4, server_settings={"statement_timeout": 5000}
    ) as bouncer:
        yield bouncer
