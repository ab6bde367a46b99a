"""The hot reads' compiled SQL runs as a statement prepared on each connection (metadatas/compiled_lookups.py)."""

import pytest
from django.db import connection

from metadatas.item_read import ITEM
from tests.conftest import JSON

pytestmark = pytest.mark.usefixtures("require_postgres")


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def test_an_item_read_prepares_its_statement_once_on_the_connection(api, make_metadata):
    first, second = make_metadata(), make_metadata()

    assert api.get(f"/metadatas/{first.uuid}", **JSON).status_code == 200
    assert api.get(f"/metadatas/{second.uuid}", **JSON).json()["uuid"] == str(second.uuid)

    statement = ITEM.statements["default"]
    assert prepared_statements()[statement.name].startswith(f"PREPARE {statement.name} AS SELECT")


def test_a_new_connection_prepares_the_statement_again(transactional_db, api, make_metadata):
    metadata = make_metadata()
    api.get(f"/metadatas/{metadata.uuid}", **JSON)
    connection.close()  # the next query opens another connection, with no prepared statement

    assert api.get(f"/metadatas/{metadata.uuid}", **JSON).json()["uuid"] == str(metadata.uuid)


def test_a_connection_without_session_state_gets_the_sql_itself(transactional_db, api, make_metadata):
    connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = True  # as behind a transaction pooler
    try:
        connection.close()
        metadata = make_metadata()

        assert api.get(f"/metadatas/{metadata.uuid}", **JSON).status_code == 200
        assert ITEM.statements["default"].name not in prepared_statements()
    finally:
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = False


def test_a_percent_sign_in_the_sql_stays_one_in_the_prepared_statement():
    from metadatas.compiled_lookups import CompiledStatement

    statement = CompiledStatement.__new__(CompiledStatement)
    statement.sql = "SELECT a FROM t WHERE b LIKE 'x%%s' AND c = %s AND d = %s"

    assert statement.numbered_sql == "SELECT a FROM t WHERE b LIKE 'x%s' AND c = $1 AND d = $2"
    assert statement.execute_sql == f"EXECUTE {statement.name} (%s, %s)"
