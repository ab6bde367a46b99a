from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TenantsConfig(AppConfig):
    """The tenant registry and the JWT authentication that ties each request to one tenant."""

    name = "tenants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tenants import openapi  # noqa: F401  (registers the JWT scheme with drf-spectacular)
        from tenants.models import Tenant
        from tenants.registry import announce_tenant_change

        post_save.connect(
            lambda instance, **_: announce_tenant_change(instance.pk, instance.enabled), sender=Tenant, weak=False
        )
        post_delete.connect(lambda instance, **_: announce_tenant_change(instance.pk, None), sender=Tenant, weak=False)
