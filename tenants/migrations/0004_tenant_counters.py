import django.db.models.deletion
from django.db import migrations, models

from metadata_service.migration_operations import RunSQLOnVendor


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0003_tenant_members"),
    ]

    operations = [
        migrations.CreateModel(
            name="TenantCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=64)),
                ("value", models.PositiveBigIntegerField(default=0)),
                (
                    "tenant",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenants.tenant",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "name"), name="tenant_counter_unique_name")
                ],
            },
        ),
        # Like the data tables (metadatas 0003): the primary key holds the tenant, to distribute by it.
        RunSQLOnVendor(
            "postgresql",
            sql=[
                "ALTER TABLE tenants_tenantcounter DROP CONSTRAINT tenants_tenantcounter_pkey, "
                "ADD CONSTRAINT tenants_tenantcounter_pkey PRIMARY KEY (tenant_id, id)"
            ],
            reverse_sql=[
                "ALTER TABLE tenants_tenantcounter DROP CONSTRAINT tenants_tenantcounter_pkey, "
                "ADD CONSTRAINT tenants_tenantcounter_pkey PRIMARY KEY (id)"
            ],
        ),
    ]
