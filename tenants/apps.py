from django.apps import AppConfig


class TenantsConfig(AppConfig):
    """The tenant registry and the JWT authentication that ties each request to one tenant."""

    name = "tenants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tenants import openapi  # noqa: F401  (registers the JWT scheme with drf-spectacular)
