from django.apps import AppConfig


class MetadatasConfig(AppConfig):
    """Metadata resources: the model with its version, the REST API and the compare-and-swap."""

    name = "metadatas"
    verbose_name = "Metadata"
    default_auto_field = "django.db.models.BigAutoField"
