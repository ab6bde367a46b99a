"""LinkedMetadata now belongs to the ``linked_metadata`` app (its migration 0001): the state moves, the table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("metadatas", "0003_tenant_keys_title_trigram"),
        ("linked_metadata", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name="LinkedMetadata")],
        ),
    ]
