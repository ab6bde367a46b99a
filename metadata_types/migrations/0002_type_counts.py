"""The count of metadata types of each tenant, which the max_metadata_types quota checks (tenants/quotas.py)."""

from django.db import migrations
from django.db.models import Count

COUNTER = "metadata_types"


def count_types(apps, schema_editor):
    MetadataType = apps.get_model("metadata_types", "MetadataType")
    TenantCounter = apps.get_model("tenants", "TenantCounter")
    for row in MetadataType.objects.values("tenant_id").annotate(n=Count("pk")):
        TenantCounter.objects.update_or_create(tenant_id=row["tenant_id"], name=COUNTER, defaults={"value": row["n"]})


def forget_counts(apps, schema_editor):
    apps.get_model("tenants", "TenantCounter").objects.filter(name=COUNTER).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("metadata_types", "0001_initial"),
        ("tenants", "0005_quotas"),
    ]

    operations = [migrations.RunPython(count_types, forget_counts)]
