"""Metadata ids numbered per tenant: a tenant's ids no longer count the other tenants' writes.

The table's own key becomes ``row`` (the old global id, which the API no longer shows); ``id`` is
numbered 1, 2, 3, ... in each tenant, in the order the rows were made, and each tenant's counter
(``tenants.counters``) starts after its highest id. The indexes that end in ``id`` are rebuilt on the
new column, since lists order (and break ties) by it.
"""

import django.db.models.fields.json
from django.db import migrations, models

INDEXES_ENDING_IN_ID = [
    ("metadata_tenant_owner", ["tenant", "owner", "id"]),
    ("metadata_tenant_owner_uuid", ["tenant", "owner_uuid", "id"]),
    ("metadata_tenant_type", ["tenant", "type", "id"]),
    ("metadata_tenant_created", ["tenant", "created_at", "id"]),
    ("metadata_tenant_updated", ["tenant", "updated_at", "id"]),
]

NUMBER_EXISTING_ROWS = """
UPDATE metadatas_metadata SET id = numbered.number
FROM (SELECT "row", row_number() OVER (PARTITION BY tenant_id ORDER BY "row") AS number FROM metadatas_metadata)
     AS numbered
WHERE metadatas_metadata."row" = numbered."row"
"""
START_THE_COUNTERS = """
INSERT INTO tenants_tenantcounter (tenant_id, name, value)
SELECT tenant_id, 'metadata', MAX(id) FROM metadatas_metadata GROUP BY tenant_id
"""


def title_sort_index():
    return models.Index(
        models.F("tenant"),
        django.db.models.fields.json.KeyTextTransform("en", "title"),
        models.F("id"),
        name="metadata_tenant_title_sort",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("metadatas", "0004_linked_metadata_moved"),
        ("tenants", "0004_tenant_counters"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="metadata", name="metadata_tenant_id"),
        *[migrations.RemoveIndex(model_name="metadata", name=name) for name, _ in INDEXES_ENDING_IN_ID],
        migrations.RemoveIndex(model_name="metadata", name="metadata_tenant_title_sort"),
        migrations.RenameField(model_name="metadata", old_name="id", new_name="row"),
        migrations.AddField(model_name="metadata", name="id", field=models.PositiveBigIntegerField(null=True)),
        migrations.RunSQL(NUMBER_EXISTING_ROWS, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(START_THE_COUNTERS, reverse_sql="DELETE FROM tenants_tenantcounter WHERE name = 'metadata'"),
        migrations.AlterField(
            model_name="metadata",
            name="id",
            field=models.PositiveBigIntegerField(editable=False, help_text="Numbered per tenant, in creation order."),
        ),
        migrations.AddConstraint(
            model_name="metadata",
            constraint=models.UniqueConstraint(fields=("tenant", "id"), name="metadata_tenant_id_unique"),
        ),
        *[migrations.AddIndex(model_name="metadata", index=models.Index(fields=f, name=n)) for n, f in INDEXES_ENDING_IN_ID],
        migrations.AddIndex(model_name="metadata", index=title_sort_index()),
    ]
