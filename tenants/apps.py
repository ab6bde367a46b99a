from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save


class MetadataAdminConfig(admin_apps.AdminConfig):
    """Django's admin, served by this service's site (``tenants.admin_site``)."""

    default = False  # named in INSTALLED_APPS; "tenants" itself is TenantsConfig
    default_site = "tenants.admin_site.MetadataAdminSite"


class TenantsConfig(AppConfig):
    """The tenant registry and the JWT authentication that ties each request to one tenant."""

    name = "tenants"
    default = True  # this module also holds the admin's config
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from tenants import openapi  # noqa: F401  (registers the JWT scheme with drf-spectacular)
        from tenants.models import Tenant
        from tenants.registry import announce_tenant_change, prepare_tenant_change

        pre_save.connect(lambda instance, **_: prepare_tenant_change(instance.pk), sender=Tenant, weak=False)
        pre_delete.connect(lambda instance, **_: prepare_tenant_change(instance.pk), sender=Tenant, weak=False)
        post_save.connect(
            lambda instance, **_: announce_tenant_change(instance.pk, instance.enabled), sender=Tenant, weak=False
        )
        post_delete.connect(lambda instance, **_: announce_tenant_change(instance.pk, None), sender=Tenant, weak=False)
