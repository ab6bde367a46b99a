"""The count of live resources of each tenant, which the max_resources quota checks (tenants/quotas.py)."""

from django.db import migrations
from django.db.models import Count

COUNTER = "live_resources"


def count_live_resources(apps, schema_editor):
    Metadata = apps.get_model("metadatas", "Metadata")
    TenantCounter = apps.get_model("tenants", "TenantCounter")
    live = Metadata.objects.filter(deleted_at__isnull=True).values("tenant_id").annotate(n=Count("pk"))
    for row in live:
        TenantCounter.objects.update_or_create(tenant_id=row["tenant_id"], name=COUNTER, defaults={"value": row["n"]})


def forget_counts(apps, schema_editor):
    apps.get_model("tenants", "TenantCounter").objects.filter(name=COUNTER).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("metadatas", "0007_history"),
        ("tenants", "0005_quotas"),
    ]

    operations = [migrations.RunPython(count_live_resources, forget_counts)]
