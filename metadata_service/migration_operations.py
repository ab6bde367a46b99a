"""Migration operations that apply on one database vendor and are a no-op elsewhere."""

from django.db import migrations


class RunSQLOnVendor(migrations.RunSQL):
    """``RunSQL`` that runs only when the database is ``vendor`` (e.g. GIN indexes on PostgreSQL).

    On other databases (the embedded SQLite of a quick start) it does nothing, so one migration
    history serves both.
    """

    def __init__(self, vendor, sql, reverse_sql=None, **kwargs):
        self.vendor = vendor
        super().__init__(sql, reverse_sql, **kwargs)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {"vendor": self.vendor, **kwargs}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == self.vendor:
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Raw SQL on {self.vendor} only"
