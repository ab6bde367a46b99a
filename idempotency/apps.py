from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    """Idempotency keys: a retried write answers with the stored response of its first run."""

    name = "idempotency"
    default_auto_field = "django.db.models.BigAutoField"
