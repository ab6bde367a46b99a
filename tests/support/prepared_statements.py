"""The SQL behind a captured query: the compiled reads run as ``EXECUTE name (...)`` once a connection has
prepared them (metadatas/compiled_lookups.py), so a captured query names no table by itself."""


def statement_text(connection, sql):
    """The SQL itself, or for ``EXECUTE name (...)`` the statement prepared under that name on ``connection``."""
    if not sql.startswith("EXECUTE "):
        return sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [sql.split()[1]])
        return cursor.fetchone()[0]
