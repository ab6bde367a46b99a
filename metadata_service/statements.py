"""The ORM's own INSERT and UPDATE statements as SQL text, for a write to send several in one round trip.

On PostgreSQL a statement can carry others as data-modifying CTEs (``WITH changed AS (UPDATE ... RETURNING
...) INSERT ...``): every round trip a write saves is about a millisecond, and inside a tenant's critical
section (from its counters to its commit) every writer of the tenant waits for it. The SQL follows
Django's (its model metadata, its compilers), so the columns, the values' adaptation (JSON, UUIDs, time
zones) and the quoting are those of ``save()`` and ``update()``; a value may be ``Sql``, naming a CTE of
the larger statement. A write's reads and updates are querysets compiled once (``CompiledQuery``,
``CompiledUpdate``).
"""

import functools

from django.apps import apps
from django.db import connection, connections, router
from django.db.models.deletion import Collector
from django.db.models.sql import DeleteQuery, UpdateQuery

VALUES = " VALUES ("


def combines_statements() -> bool:
    """Whether the database runs INSERT/UPDATE inside WITH (PostgreSQL; SQLite does not)."""
    return connection.vendor == "postgresql"


class Sql:
    """A value written as SQL (with its parameters) instead of a parameter: a column of a CTE, say."""

    def __init__(self, sql: str, params=()):
        self.sql, self.params = sql, list(params)


def insert_sql(obj, *, returning=()) -> tuple[str, list]:
    """The INSERT of the model instance ``obj`` (one row), with ``RETURNING`` the columns of ``returning``.

    The columns are those ``save()`` inserts, each value adapted by its field as ``save()`` adapts it; a
    value may be ``Sql``. Building it through the ORM's compiler cost more than PostgreSQL takes to run it,
    so the statement's head is made once per model and database."""
    return PreparedRows([obj]).sql(returning=returning)


class PreparedRows:
    """New instances of one model as the rows of one INSERT, their values adapted when this is made (the
    columns and adaptation of ``insert_sql``), but for the fields named in ``later``: ``sql`` takes those.

    A write that stores many rows prepares them before it takes the tenant's counters, which stay locked to
    its commit while every other writer of the tenant waits; only what the counters give goes in after."""

    def __init__(self, objs, *, later=()):
        model = type(objs[0])
        # The router is told of the write (it keeps the client on the primary); the connection is looked up
        # once, as every use of the ``connection`` proxy looks it up anew.
        self.objs, self.database = objs, connections[router.db_for_write(model)]
        self.label = model._meta.label
        self.fields, self.head = _insert_head(self.label, self.database.vendor, objs[0].pk is None)
        self.rows = [
            [None if field.attname in later else self._adapted(field, obj) for field in self.fields] for obj in objs
        ]

    def sql(self, *, returning=(), **later) -> tuple[str, list]:
        """The statement, ``later`` giving each postponed field (by attname) a value per row, or ``Sql``."""
        postponed = {index: later[field.attname] for index, field in enumerate(self.fields) if field.attname in later}
        rows: list[str] = []
        params: list = []
        for number, prepared in enumerate(self.rows):
            values = list(prepared)
            for index, given in postponed.items():
                values[index] = self._adapted_value(self.fields[index], given[number])
            rows.append(f"({', '.join(_placeholders(values, params))})")
        tail = _returning(self.label, self.database.vendor, tuple(returning)) if returning else ""
        return f"{self.head} VALUES {', '.join(rows)}{tail}", params

    def mark_stored(self) -> None:
        """Leave the instances as ``save()`` leaves what it inserted: no longer being added, and on its database."""
        for obj in self.objs:
            obj._state.adding, obj._state.db = False, self.database.alias

    def _adapted(self, field, obj):
        return self._adapted_value(field, field.pre_save(obj, add=True))

    def _adapted_value(self, field, value):
        return value if isinstance(value, Sql) else field.get_db_prep_save(value, self.database)


def _placeholders(values, params):
    """``%s`` for each value (added to ``params``), or an ``Sql``'s own text (and its parameters)."""
    for value in values:
        if isinstance(value, Sql):
            params.extend(value.params)
            yield f"({value.sql})"
        else:
            params.append(value)
            yield "%s"


@functools.cache
def _insert_head(label, vendor, without_pk):
    meta = apps.get_model(label)._meta
    fields = [field for field in meta.local_concrete_fields if not (field is meta.auto_field and without_pk)]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    return fields, f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns})"


@functools.cache
def _returning(label, vendor, names):
    """`` RETURNING`` the columns of the fields ``names``: made once, as the head is (quoting them on every
    insert, through the ``connection`` proxy, was a tenth of building the statement)."""
    meta = apps.get_model(label)._meta
    return f" RETURNING {', '.join(connection.ops.quote_name(meta.get_field(name).column) for name in names)}"


def insert_select_sql(obj, source: str) -> tuple[str, list]:
    """The INSERT of ``obj`` as ``INSERT ... SELECT <its values> FROM source``: a row only for each row of
    ``source`` (a CTE), so a revision is written only if its change was."""
    sql, params = insert_sql(obj)
    # The compiler writes "INSERT INTO t (columns) VALUES (placeholders)"; values are parameters, so the
    # only " VALUES (" in the text is that one.
    head, _, placeholders = sql.partition(VALUES)
    return f"{head} SELECT {placeholders.removesuffix(')')} FROM {source}", params


class CompiledUpdate:
    """``build(**values).update(**changes)`` (one table, no join) with ``RETURNING returning``, its SQL compiled
    by the ORM once per database and shape of ``changes`` (which fields, which of them NULL): the WHERE comes
    from the queryset (its tenant scoping and every condition of the queryset layer), with ``placeholders``
    (name → a value no real call passes) telling where each value goes; the SET values are adapted by their
    fields on every call, as ``update()`` adapts them."""

    def __init__(self, build, *, returning: str, **placeholders):
        self.build, self.returning, self.placeholders = build, returning, placeholders
        self.compiled: dict[tuple, tuple] = {}

    def sql(self, changes: dict, **values) -> tuple[str, list]:
        shape = (connection.alias, tuple((name, changes[name] is None) for name in changes))
        if shape not in self.compiled:
            self.compiled[shape] = self._compile(changes)
        sql, where_params, slots, fields = self.compiled[shape]
        params = with_values(where_params, slots, values)
        database = connections[connection.alias]
        set_params = [field.get_db_prep_save(changes[field.name], database) for field in fields]
        return sql, [*set_params, *params]

    def _compile(self, changes):
        queryset = self.build(**self.placeholders)
        router.db_for_write(queryset.model)  # as ``update()`` does: the router keeps the client on the primary
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(changes)
        sql, params = query.get_compiler(connection=connection).as_sql()
        meta = queryset.model._meta
        fields = [meta.get_field(name) for name, value in changes.items() if value is not None]
        where_params = list(params)[len(fields) :]  # SET's parameters come first, one per non-NULL value
        slots = placeholder_slots(where_params, self.placeholders)
        return f"{sql} RETURNING {self.returning}", where_params, slots, fields


class CompiledDelete:
    """``build(**values).delete()`` of a queryset that the ORM deletes in one statement (its fast path: no
    cascade, no signal receivers), that statement compiled by the ORM once per database with ``placeholders``
    (as ``CompiledQuery``'s) and run with the real values. ``QuerySet.delete()`` gathered the same answer
    with its ``Collector`` on every call, which took more than the rest of a write's Python around it.
    Whenever the ORM would not delete in one statement (a receiver connected since), it is ``delete()``."""

    def __init__(self, build, **placeholders):
        self.build, self.placeholders, self.compiled, self.model = build, placeholders, {}, None

    def delete(self, **values) -> None:
        if self.model is None:
            self.model = self.build(**self.placeholders).model
        alias = router.db_for_write(self.model)  # as ``delete()`` asks: the router keeps the client on the primary
        if not Collector(using=alias, origin=None).can_fast_delete(self.model):
            self.build(**values).delete()
            return
        sql, params, slots = self._compiled(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, with_values(params, slots, values))

    def _compiled(self, alias):
        if alias not in self.compiled:
            query = self.build(**self.placeholders).query.chain(DeleteQuery)  # what ``_raw_delete()`` runs
            query.select_for_update = query.select_related = False
            query.clear_ordering(force=True)
            sql, params = query.get_compiler(using=alias).as_sql()
            self.compiled[alias] = sql, list(params), placeholder_slots(params, self.placeholders)
        return self.compiled[alias]


def instance_from_row(model, values):
    """A model instance from a row of all its concrete columns, in field order (as ``RETURNING`` gave them),
    each converted as a query's would be (JSON parsed)."""
    fields = model._meta.concrete_fields
    converted = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], converted)


class CompiledQuery:
    """The SQL of ``build(**values)`` (a queryset), compiled by the ORM once per database with placeholder
    values, then run with the real ones: building and compiling the queryset on every write cost more than
    PostgreSQL takes to answer it. The tenant scoping and every condition of the queryset are in the SQL.

    ``placeholders`` (name → a value no real call passes, a UUID or a string) tell where each value goes.
    """

    def __init__(self, build, **placeholders):
        self.build, self.placeholders, self.compiled = build, placeholders, {}

    def fetch_one(self, **values):
        """The first row (raw column values, no converters), or None."""
        sql, params, slots = self._compiled()
        return fetch_one(sql, with_values(params, slots, values))

    def _compiled(self):
        if connection.alias not in self.compiled:
            queryset = self.build(**self.placeholders)[:1]
            sql, params = queryset.query.get_compiler(connection=connection).as_sql()
            slots = placeholder_slots(params, self.placeholders)
            self.compiled[connection.alias] = sql, list(params), slots
        return self.compiled[connection.alias]


def placeholder_slots(params, placeholders) -> dict[str, list[tuple[int, bool]]]:
    """Where each placeholder (name → a value no real call passes) is in compiled ``params``, maybe several
    times (the tenant may be in a subquery too), and whether as hex (UUIDs on SQLite)."""
    return {name: _positions(params, placeholder) for name, placeholder in placeholders.items()}


def with_values(params, slots, values) -> list:
    """``params`` with the real ``values`` (name → value) where ``slots`` put their placeholders."""
    params = list(params)
    for name, positions in slots.items():
        for position, as_hex in positions:
            params[position] = values[name].hex if as_hex else values[name]
    return params


def _positions(params, placeholder):
    hex_form = getattr(placeholder, "hex", None)
    found = [(i, value == hex_form) for i, value in enumerate(params) if value in (placeholder, hex_form)]
    if not found:
        raise ValueError(f"{placeholder!r} is not among the compiled parameters")
    return found


def fetch_one(sql: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetch_all(sql: str, params: list):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
