from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TenantsConfig(AppConfig):
    """The tenant registry and the JWT authentication that ties each request to one tenant."""

    name = "tenants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tenants import registry
        from tenants.models import Tenant

        post_save.connect(lambda instance, **_: registry.publish_tenant_state(instance), sender=Tenant, weak=False)
        post_delete.connect(lambda instance, **_: registry.forget_tenant(instance), sender=Tenant, weak=False)
