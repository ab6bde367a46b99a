"""Reads go to replicas (DATABASE_REPLICA_URLS); writes, and reads that must see them, to the primary.

The replica here is a test mirror of the default database: a second connection to the same data,
so each test can see which connection served each query (the fast inner loop). A real streaming
standby is tested in tests/test_streaming_replica.py.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from metadata_service.db_routers import PIN_COOKIE, PrimaryReplicaRouter
from metadata_service.replicas import REPLICAS
from metadatas.models import Metadata
from tenants.models import Tenant
from tests.conftest import JSON, metadata_body
from tests.support.live_server import free_port
from tests.support.prepared_statements import statement_text

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica_under_test", "replica_down"])
REPLICA = "replica_under_test"
DOWN = "replica_down"
# Declared while tests are collected, before the test databases are set up, so that the test runner
# makes it a mirror of "default" (as settings.py does for DATABASE_REPLICA_URLS). Unused elsewhere.
_default = connections.settings["default"]
connections.settings.setdefault(REPLICA, {**_default, "TEST": {**_default["TEST"], "MIRROR": "default"}})
# A replica nobody listens for (a port just freed).
connections.settings.setdefault(
    DOWN, {**_default, "HOST": "127.0.0.1", "PORT": str(free_port()), "TEST": {**_default["TEST"], "MIRROR": "default"}}
)


@pytest.fixture
def replica(settings, transactional_db):
    """The mirrored replica, routed to by the router (committed data, so both connections see it)."""
    settings.DATABASE_REPLICAS = [REPLICA]
    yield REPLICA
    connections[REPLICA].close()


class Served:
    """The metadata queries each of the primary and the replica served during a block."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"]).__enter__()
        self.replica = CaptureQueriesContext(connections[REPLICA]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    @staticmethod
    def metadata_queries(captured):
        """The captured queries of the metadata table: an ``EXECUTE`` by its prepared statement, and not the
        ``PREPARE`` a connection sends before its first ``EXECUTE`` (that runs nothing)."""
        queries = [query["sql"] for query in captured.captured_queries if not query["sql"].startswith("PREPARE ")]
        return [sql for sql in queries if "metadatas_metadata" in statement_text(captured.connection, sql)]


def test_a_list_and_an_item_are_read_from_the_replica(api, make_metadata, replica):
    metadata = make_metadata()

    with Served() as served:
        assert api.get("/metadatas", **JSON).status_code == 200
        assert api.get(f"/metadatas/{metadata.uuid}", **JSON).status_code == 200

    assert len(Served.metadata_queries(served.replica)) == 2  # the page (with its count), the item
    assert Served.metadata_queries(served.primary) == []


def test_the_tenant_is_always_checked_on_the_primary(api, replica):
    with Served() as served:
        api.get("/metadatas", **JSON)

    assert any("tenants_tenant" in query["sql"] for query in served.primary.captured_queries)
    assert not any("tenants_tenant" in query["sql"] for query in served.replica.captured_queries)


def test_a_write_request_reads_and_writes_on_the_primary(api, make_metadata, replica):
    metadata = make_metadata()

    with Served() as served:
        response = api.put(f"/metadatas/{metadata.uuid}", {"type": "changed", "version": 1}, format="json", **JSON)

    assert response.status_code == 200
    assert Served.metadata_queries(served.replica) == []
    assert len(Served.metadata_queries(served.primary)) >= 2  # the read of the version, then the UPDATE


def test_a_client_that_wrote_reads_its_write_from_the_primary_next_time(api, replica):
    created = api.post("/metadatas", metadata_body(), format="json", **JSON)
    assert created.status_code == 201
    assert created.cookies[PIN_COOKIE]["max-age"] == 5

    with Served() as served:
        response = api.get(f"/metadatas/{created.json()['uuid']}", **JSON)  # the client sends the cookie back

    assert response.status_code == 200
    assert Served.metadata_queries(served.replica) == []


def test_a_read_only_request_sets_no_pinning_cookie(api, replica):
    response = api.get("/metadatas", **JSON)

    assert PIN_COOKIE not in response.cookies


def test_without_replicas_everything_uses_the_primary(settings):
    settings.DATABASE_REPLICAS = []

    assert PrimaryReplicaRouter().db_for_read(Metadata) == "default"


def test_replicas_are_never_migrated_and_tenants_never_read_from_them(settings):
    settings.DATABASE_REPLICAS = ["replica1"]
    router = PrimaryReplicaRouter()

    assert router.allow_migrate("replica1", "metadatas") is False
    assert router.allow_migrate("default", "metadatas") is True
    assert router.db_for_read(Tenant) == "default"


def test_while_a_replica_does_not_answer_its_reads_go_to_the_primary_and_it_is_left_alone_a_while(
    api, make_metadata, settings, require_postgres
):
    settings.DATABASE_REPLICAS = [DOWN]
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "DATABASE_REPLICA_RETRY_SECONDS": 60}
    metadata = make_metadata()
    REPLICAS.retry_at.pop(DOWN, None)

    with CaptureQueriesContext(connections["default"]) as primary:
        assert api.get(f"/metadatas/{metadata.uuid}", **JSON).status_code == 200
        assert DOWN in REPLICAS.retry_at
        assert api.get("/metadatas", **JSON).status_code == 200

    assert len(Served.metadata_queries(primary)) == 2
    REPLICAS.retry_at.pop(DOWN, None)
