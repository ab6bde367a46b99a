from django.apps import AppConfig


class LinkedMetadataConfig(AppConfig):
    """Key/value metadata on accounts and account users: the model, its rules and services, GraphQL and admin."""

    name = "linked_metadata"
    verbose_name = "Linked metadata"
    default_auto_field = "django.db.models.BigAutoField"
