"""LinkedMetadata moves here from ``metadatas`` (its migration 0002 created the table, 0003 its primary key).

Only Django's model state moves: the table keeps its name and its rows, and no SQL runs. The admin's
content type follows the model, so permissions granted on it are kept.
"""

import django.db.models.deletion
from django.db import migrations, models

import metadata_service.timestamps

OLD_APP_LABEL = "metadatas"
NEW_APP_LABEL = "linked_metadata"
MODEL = "linkedmetadata"


def move_content_type(apps, schema_editor, source=OLD_APP_LABEL, target=NEW_APP_LABEL):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
    if not content_types.filter(app_label=target, model=MODEL).exists():
        content_types.filter(app_label=source, model=MODEL).update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source=NEW_APP_LABEL, target=OLD_APP_LABEL)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("metadatas", "0003_tenant_keys_title_trigram"),
        ("tenants", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="LinkedMetadata",
                    fields=[
                        ("id", models.BigAutoField(primary_key=True, serialize=False)),
                        (
                            "linked_object_type",
                            models.CharField(
                                choices=[("ACCOUNT", "Account"), ("ACCOUNT_USER", "Account user")], max_length=16
                            ),
                        ),
                        (
                            "identifier",
                            models.CharField(help_text="The account number, or the account user's email.", max_length=254),
                        ),
                        ("key", models.CharField(max_length=255)),
                        (
                            "value",
                            models.JSONField(
                                help_text="Any JSON document, at most LINKED_METADATA_VALUE_MAX_BYTES when compact."
                            ),
                        ),
                        ("version", models.PositiveBigIntegerField(default=1)),
                        ("created_at", models.DateTimeField(default=metadata_service.timestamps.now_to_the_second)),
                        ("updated_at", models.DateTimeField(default=metadata_service.timestamps.now_to_the_second)),
                        (
                            "tenant",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="tenants.tenant",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "linked metadata",
                        "verbose_name_plural": "linked metadata",
                        "db_table": "metadatas_linkedmetadata",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("tenant", "linked_object_type", "identifier", "key"),
                                name="linked_metadata_unique_key",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("linked_object_type__in", ["ACCOUNT", "ACCOUNT_USER"])),
                                name="linked_metadata_object_type_known",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back, elidable=True),
    ]
