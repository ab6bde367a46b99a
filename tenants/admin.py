from django.contrib import admin

from tenants.models import Tenant


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    """The tenant registry: disabling a tenant rejects its tokens at once."""

    list_display = ("name", "uuid", "enabled", "created")
    list_filter = ("enabled",)
    search_fields = ("name", "uuid")
    readonly_fields = ("created",)
