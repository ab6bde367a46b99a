"""The ORM's own INSERT and UPDATE statements as SQL text, for a write to send several in one round trip.

On PostgreSQL a statement can carry others as data-modifying CTEs (``WITH changed AS (UPDATE ... RETURNING
...) INSERT ...``): every round trip a write saves is about a millisecond, and inside a tenant's critical
section (from its counters to its commit) every writer of the tenant waits for it. The SQL comes from
Django's compilers, so the columns, the values' adaptation (JSON, UUIDs, time zones) and the quoting are
exactly those of ``save()`` and ``update()``; a value may be an expression such as ``RawSQL`` naming a
CTE of the larger statement.
"""

from django.db import connection
from django.db.models.sql import InsertQuery, UpdateQuery

VALUES = " VALUES ("


def combines_statements() -> bool:
    """Whether the database runs INSERT/UPDATE inside WITH (PostgreSQL; SQLite does not)."""
    return connection.vendor == "postgresql"


def insert_sql(obj, *, returning=()) -> tuple[str, list]:
    """The INSERT of the model instance ``obj`` (one row), with ``RETURNING`` the columns of ``returning``."""
    meta = obj._meta
    fields = [field for field in meta.local_concrete_fields if not (field is meta.auto_field and obj.pk is None)]
    query = InsertQuery(type(obj))
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.get_field(name) for name in returning] or None
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)


def insert_select_sql(obj, source: str) -> tuple[str, list]:
    """The INSERT of ``obj`` as ``INSERT ... SELECT <its values> FROM source``: a row only for each row of
    ``source`` (a CTE), so a revision is written only if its change was."""
    sql, params = insert_sql(obj)
    # The compiler writes "INSERT INTO t (columns) VALUES (placeholders)"; values are parameters, so the
    # only " VALUES (" in the text is that one.
    head, _, placeholders = sql.partition(VALUES)
    return f"{head} SELECT {placeholders.removesuffix(')')} FROM {source}", params


def update_sql(queryset, values: dict, *, returning: str) -> tuple[str, list]:
    """The UPDATE that ``queryset.update(**values)`` sends (one table, no join), ``RETURNING returning``."""
    query = queryset.query.chain(UpdateQuery)
    query.add_update_values(values)
    sql, params = query.get_compiler(connection=connection).as_sql()
    return f"{sql} RETURNING {returning}", list(params)


def instance_from_row(model, values):
    """A model instance from a row of all its concrete columns, in field order (as ``RETURNING`` gave them),
    each converted as a query's would be (JSON parsed)."""
    fields = model._meta.concrete_fields
    converted = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


def fetch_one(sql: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
