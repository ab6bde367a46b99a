"""One-row reads by a statement the ORM compiled once: the hot item read without building a query each time.

Building and compiling ``Metadata.objects.for_tenant(t).filter(uuid=u)`` cost more than PostgreSQL takes
to answer it. ``CompiledLookup`` asks the ORM once per database for the SQL of the very queryset the
generic path would use (so the tenant scoping of ``tenants.scoping`` and any condition the queryset layer
adds are in it), with placeholder UUIDs where the values go; each lookup then runs that SQL with the real
values and turns the row into a model instance with the ORM's own converters.
"""

import uuid

from django.db import connections, router

# Placeholders no real row has (UUIDs of version 0), told apart by position in the compiled parameters.
PLACEHOLDERS = {"tenant_id": uuid.UUID(int=0xC0DE_0001), "uuid": uuid.UUID(int=0xC0DE_0002)}


class CompiledStatement:
    """A compiled one-row query: its SQL, where each value goes in its parameters, and how to read its row."""

    def __init__(self, queryset, names):
        compiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.slots = {}
        for name in names:
            placeholder = PLACEHOLDERS[name]
            positions = [i for i, value in enumerate(self.params) if value in (placeholder, placeholder.hex)]
            if len(positions) != 1:
                raise ValueError(f"cannot tell where {name} goes in {self.sql}")
            self.slots[name] = (positions[0], isinstance(self.params[positions[0]], str))
        columns = [column for column, _, _ in compiler.select]
        self.attnames = [column.target.attname for column in columns]
        self.converters = list(compiler.get_converters(columns).items())

    def row(self, connection, values):
        """The first row for ``values`` (name → UUID) as a list of Python values, or None."""
        params = list(self.params)
        for name, (position, as_hex) in self.slots.items():
            params[position] = values[name].hex if as_hex else values[name]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for position, (functions, expression) in self.converters:
            for function in functions:
                row[position] = function(row[position], expression, connection)
        return row


class CompiledLookup:
    """``build(**values)`` → a queryset of at most one row; ``get(**values)`` → that row's instance or None.

    Values are UUIDs (``tenant_id``, ``uuid``). The SQL is compiled once per database alias.
    """

    def __init__(self, model, build):
        self.model = model
        self.build = build
        self.statements = {}

    def get(self, **values):
        alias = router.db_for_read(self.model)  # the database the queryset itself would read
        statement = self.statements.get(alias)
        if statement is None:
            placeholders = {name: PLACEHOLDERS[name] for name in values}
            statement = CompiledStatement(self.build(**placeholders).using(alias), values)
            self.statements[alias] = statement
        row = statement.row(connections[alias], values)
        if row is None:
            return None
        return self.model.from_db(alias, statement.attnames, row)
