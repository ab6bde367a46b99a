from django.apps import AppConfig


class MetadatasConfig(AppConfig):
    """Metadata resources: the model with its version, the REST API and the compare-and-swap."""

    name = "metadatas"
    verbose_name = "Metadata"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from metadatas import checks  # noqa: F401  (registers the system checks)
