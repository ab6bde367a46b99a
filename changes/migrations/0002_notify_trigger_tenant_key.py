from django.db import migrations

from metadata_service.migration_operations import RunSQLOnVendor

# Every inserted event notifies the listeners (changes/listener.py) with its tenant, in the inserting
# transaction: PostgreSQL delivers it at commit only, and folds a transaction's equal payloads into one.
NOTIFY_FUNCTION = """
CREATE FUNCTION changes_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('metadata_changes', NEW.tenant_id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER changes_changeevent_notify AFTER INSERT ON changes_changeevent
  FOR EACH ROW EXECUTE FUNCTION changes_notify_event();
"""
DROP = "DROP TRIGGER changes_changeevent_notify ON changes_changeevent; DROP FUNCTION changes_notify_event();"


class Migration(migrations.Migration):
    dependencies = [("changes", "0001_initial")]

    operations = [
        RunSQLOnVendor("postgresql", NOTIFY_FUNCTION, DROP),
        # Like the other data tables (metadatas 0007): the primary key leads with the tenant, to distribute by it.
        RunSQLOnVendor(
            "postgresql",
            "ALTER TABLE changes_changeevent DROP CONSTRAINT changes_changeevent_pkey, "
            "ADD CONSTRAINT changes_changeevent_pkey PRIMARY KEY (tenant_id, id)",
            "ALTER TABLE changes_changeevent DROP CONSTRAINT changes_changeevent_pkey, "
            "ADD CONSTRAINT changes_changeevent_pkey PRIMARY KEY (id)",
        ),
    ]
