"""What a write costs in round trips to PostgreSQL, and where the tenant's counters are taken in it.

Each statement costs about a millisecond of a write's time, and from a tenant's first counter statement to
its commit every other writer of the tenant waits: those statements are the fewest and the last.
"""

import json

import pytest

from tenants.counters import TenantCounter, raise_counters
from tests.conftest import JSON, metadata_body
from tests.support.graphql_client import UPDATE, graphql_client, metadata_input, run

COUNTER_TABLE = TenantCounter._meta.db_table


@pytest.fixture
def warm(tenant_cache, require_postgres, api):
    """The tenant registry as in production (shared cache), read once; the tenant's counters exist."""
    assert api.post("/metadatas", metadata_body(slug="first"), format="json", **JSON).status_code == 201


def statements(captured):
    return [query["sql"] for query in captured.captured_queries]


def counter_statements_from(sqls):
    """The statements from the first that raises a counter of the tenant to the commit."""
    first = next(index for index, sql in enumerate(sqls) if COUNTER_TABLE in sql)
    return sqls[first:]


def test_a_create_sends_seven_statements(api, warm, django_assert_num_queries):
    # BEGIN, the type's lock, the type and policy, the counters and limits, the row and its revision,
    # the event at its seq, COMMIT.
    with django_assert_num_queries(7):
        assert api.post("/metadatas", metadata_body(), format="json", **JSON).status_code == 201


def test_a_create_takes_the_tenants_counters_in_its_last_three_statements_before_commit(
    api, warm, django_assert_num_queries
):
    with django_assert_num_queries(7) as captured:
        api.post("/metadatas", metadata_body(), format="json", **JSON)

    assert len(counter_statements_from(statements(captured))) == 4  # counters, row, event, COMMIT


def test_a_batch_of_creates_sends_ten_statements_whatever_its_size(api, warm, django_assert_num_queries):
    operations = [{"op": "create", "body": metadata_body(slug=f"many-{number}")} for number in range(20)]

    # BEGIN and the batch's SAVEPOINT, the size limit, the type's lock, the type and policy, the ids with the
    # count, the rows with their revisions, the events at their seqs, RELEASE and COMMIT.
    with django_assert_num_queries(10):
        assert api.post("/metadatas/batch", {"operations": operations}, format="json", **JSON).status_code == 200


def test_a_batch_of_creates_takes_the_tenants_counters_in_its_last_three_statements_before_it_ends(
    api, warm, django_assert_num_queries
):
    operations = [{"op": "create", "body": metadata_body(slug=f"many-{number}")} for number in range(20)]

    with django_assert_num_queries(10) as captured:
        api.post("/metadatas/batch", {"operations": operations}, format="json", **JSON)

    # the counters, the rows with their revisions, the events, RELEASE and COMMIT
    assert len(counter_statements_from(statements(captured))) == 5


def test_an_update_sends_seven_statements_its_event_last(api, warm, django_assert_num_queries):
    resource = api.post("/metadatas", metadata_body(slug="updated"), format="json", **JSON).json()
    api.get(f"/metadatas/{resource['uuid']}", **JSON)  # the connection prepares the item read's statement

    # The read of the row, BEGIN, the lock, the type and policy, the compare-and-swap with its revision
    # and limit, the event at its seq, COMMIT.
    with django_assert_num_queries(7) as captured:
        response = api.put(f"/metadatas/{resource['uuid']}", {"data": {"a": 1}, "version": 1}, format="json", **JSON)

    assert response.status_code == 200
    assert len(counter_statements_from(statements(captured))) == 2  # the event, COMMIT


def test_a_graphql_upsert_of_a_new_value_sends_four_statements(tenant, warm, django_assert_num_queries):
    gql = graphql_client(tenant.uuid)
    run(gql, UPDATE, {"input": metadata_input()})

    # BEGIN, the upsert with its revision, the event at its seq, COMMIT.
    with django_assert_num_queries(4):
        run(gql, UPDATE, {"input": metadata_input(value=json.dumps({"new": True}))})


def test_counters_raised_together_come_back_as_the_ranges_each_took(tenant):
    raise_counters(tenant.uuid, {"b": 2})

    taken = raise_counters(tenant.uuid, {"b": 3, "a": 1})

    assert {name: values[0] for name, values in taken.items()} == {"a": range(1, 2), "b": range(3, 6)}
