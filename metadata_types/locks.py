"""One lock per (tenant, type name), held to the end of the transaction (PostgreSQL advisory locks).

Resource writes take it shared, so they run side by side; a change of the type's schema, or its deletion,
takes it exclusively, so it waits for the writes in flight and checks documents that every later write
will be checked against under the new schema. SQLite runs one writer at a time, so it needs none.
"""

import uuid

from django.db import connection


def hold_type_lock(*, tenant_id: uuid.UUID, name: str, shared: bool) -> None:
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(hashtextextended(%s, 0))", [f"metadata-type:{tenant_id}:{name}"])
