from django.apps import AppConfig


class MetadataTypesConfig(AppConfig):
    """Metadata types: a JSON Schema per resource ``type`` that every write of such a resource must satisfy."""

    name = "metadata_types"
    verbose_name = "Metadata types"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from metadata_types.rules import check_typed_data
        from metadatas.data_rules import register_data_rule

        register_data_rule(check_typed_data)
