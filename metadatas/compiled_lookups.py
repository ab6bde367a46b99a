"""Reads by a statement the ORM compiled once: the hot item read and list page without building a query each time.

Building and compiling ``Metadata.objects.for_tenant(t).filter(uuid=u)`` cost more than PostgreSQL takes
to answer it. ``CompiledLookup`` asks the ORM once per database for the SQL of the very queryset the
generic path would use (so the tenant scoping of ``tenants.scoping`` and any condition the queryset layer
adds are in it), with placeholder UUIDs where the values go; each lookup then runs that SQL with the real
values and turns the row into a model instance with the ORM's own converters. ``CompiledPage`` does the
same for a page of a list queryset (``LIMIT``/``OFFSET`` appended as parameters), once per database and
per shape of the queryset (say, an identity's owner scopes), which its caller names by a key.

On PostgreSQL the compiled SQL is also a server-side prepared statement of each connection that runs it
(``PREPARE`` at its first use there, ``EXECUTE`` after that): planning the item read took PostgreSQL
longer than running it. A connection that keeps no session state (a transaction pooler,
``DISABLE_SERVER_SIDE_CURSORS``) gets the SQL itself every time.
"""

import functools
import hashlib
import itertools
import re
import uuid
import weakref
from types import SimpleNamespace

from django.core.exceptions import EmptyResultSet
from django.db import connections, router

from metadata_service.statements import placeholder_slots, with_values

# Placeholders no real row has (UUIDs of version 0), told apart by position in the compiled parameters.
PLACEHOLDERS = {"tenant_id": uuid.UUID(int=0xC0DE_0001), "uuid": uuid.UUID(int=0xC0DE_0002)}
PAGE_SUFFIX = " LIMIT %s OFFSET %s"
KEYS_MAX = 1000  # compiled page statements kept per process (one per database and owner-scope set)
PLACEHOLDER = re.compile(r"%[s%]")  # a parameter, or an escaped percent sign, of the ORM's SQL
# DB-API connection → names of the statements prepared on it (a connection's entry goes with it).
_prepared: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class CompiledStatement:
    """A compiled query: its SQL, where each value goes in its parameters, and how to read its rows.

    ``suffix`` is SQL appended to the compiled statement, its parameters given to ``rows`` as ``extra``.
    """

    def __init__(self, queryset, names, suffix="", *, prepared=True):
        self.prepared = prepared
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        self.sql = sql + suffix
        self.params = list(params)
        self.slots = placeholder_slots(self.params, {name: PLACEHOLDERS[name] for name in names})
        columns = [column for column, _, _ in compiler.select]
        self.fields = compiler.klass_info["select_fields"]
        self.attnames = [columns[index].target.attname for index in self.fields]
        self.named_fields = list(zip(self.attnames, self.fields, strict=True))
        self.annotations = dict(compiler.annotation_col_map or {})
        self.converters = list(compiler.get_converters(columns).items())

    def rows(self, connection, values, extra=()):
        """The rows for ``values`` (name → UUID) as lists of Python values."""
        params = with_values(self.params, self.slots, values)
        with connection.cursor() as cursor:
            cursor.execute(self.sql_on(connection, cursor), [*params, *extra])
            rows = [list(row) for row in cursor.fetchall()]
        for row in rows:
            for position, (functions, expression) in self.converters:
                for function in functions:
                    row[position] = function(row[position], expression, connection)
        return rows

    def sql_on(self, connection, cursor):
        """What to send on ``connection``: ``EXECUTE`` of the statement prepared there, or the SQL itself."""
        settings = connection.settings_dict
        if not self.prepared or connection.vendor != "postgresql" or settings.get("DISABLE_SERVER_SIDE_CURSORS"):
            return self.sql
        prepared = _prepared.setdefault(connection.connection, set())
        if self.name not in prepared:
            cursor.execute(f"PREPARE {self.name} AS {self.numbered_sql}")
            prepared.add(self.name)
        return self.execute_sql

    @functools.cached_property
    def name(self):
        return "compiled_" + hashlib.sha1(self.sql.encode()).hexdigest()[:20]

    @functools.cached_property
    def numbered_sql(self):
        """The SQL with ``$1, $2 ...`` for its parameters (``%%`` back to ``%``), as ``PREPARE`` takes it."""
        numbers = itertools.count(1)
        return PLACEHOLDER.sub(lambda found: "%" if found.group() == "%%" else f"${next(numbers)}", self.sql)

    @functools.cached_property
    def execute_sql(self):
        count = PLACEHOLDER.findall(self.sql).count("%s")
        return f"EXECUTE {self.name}" + (f" ({', '.join(['%s'] * count)})" if count else "")

    def instance(self, model, alias, row):
        """The model instance of a row (its annotations left out)."""
        return model.from_db(alias, self.attnames, [row[index] for index in self.fields])

    def record(self, row):
        """A row's field values by attribute name (``tenant_id``, ...): what a representation reads, without
        the cost of a model instance (``Model.__init__`` took a third of a page's rows' time)."""
        return SimpleNamespace(**{name: row[index] for name, index in self.named_fields})


class CompiledLookup:
    """``build(**values)`` → a queryset of at most one row; ``get(**values)`` → that row's instance or None,
    ``record(**values)`` → its record (``CompiledStatement.record``: the values, no model methods) or None.

    Values are UUIDs (``tenant_id``, ``uuid``). The SQL is compiled once per database alias.
    """

    def __init__(self, model, build):
        self.model = model
        self.build = build
        self.statements = {}

    def get(self, **values):
        alias, statement, rows = self._read(values)
        return statement.instance(self.model, alias, rows[0]) if rows else None

    def record(self, **values):
        _, statement, rows = self._read(values)
        return statement.record(rows[0]) if rows else None

    def _read(self, values):
        alias = router.db_for_read(self.model)  # the database the queryset itself would read
        statement = self.statements.get(alias)
        if statement is None:
            placeholders = {name: PLACEHOLDERS[name] for name in values}
            statement = CompiledStatement(self.build(**placeholders).using(alias), values)
            self.statements[alias] = statement
        return alias, statement, statement.rows(connections[alias], values)


class CompiledPage:
    """``page(key, build, offset=, limit=, **values)`` → the page's records and one annotation of its rows.

    Records (``CompiledStatement.record``) carry the fields' values by attribute name, not model methods.

    ``build(**values)`` gives the ordered list queryset; ``key`` names what else it depends on (a hashable).
    A queryset the ORM knows to be empty without asking the database (``pk__in=[]``) gives an empty page.
    At most ``keys_max`` statements are kept; ``prepared=False`` sends their SQL itself, planned for its
    values each time (``CompiledStatement``).
    """

    def __init__(self, model, annotation, *, keys_max=KEYS_MAX, prepared=True):
        self.model = model
        self.annotation = annotation
        self.keys_max = keys_max
        self.prepared = prepared
        self.statements = {}

    def page(self, key, build, *, offset, limit, **values):
        """``(records, annotation of the first row or None)`` for rows ``offset`` to ``offset + limit``."""
        alias = router.db_for_read(self.model)
        statement = self.statement(alias, key, build, values)
        if statement is None:
            return [], None
        rows = statement.rows(connections[alias], values, (limit, offset))
        return [statement.record(row) for row in rows], rows[0][
            statement.annotations[self.annotation]
        ] if rows else None

    def compile(self, key, build, **values):
        """Compile the statement of ``key`` now (if it is not yet), so that building it raises here."""
        self.statement(router.db_for_read(self.model), key, build, values)

    def statement(self, alias, key, build, values):
        if (alias, key) not in self.statements:
            placeholders = {name: PLACEHOLDERS[name] for name in values}
            queryset = build(**placeholders).using(alias)  # first: a filter's 400 leaves nothing behind
            if len(self.statements) >= self.keys_max:
                self.statements.clear()
            try:
                statement = CompiledStatement(queryset, values, PAGE_SUFFIX, prepared=self.prepared)
            except EmptyResultSet:
                statement = None
            self.statements[alias, key] = statement
        return self.statements[alias, key]
