"""Answers whether a tenant named by a token may use the service."""

from rest_framework.exceptions import AuthenticationFailed

from tenants.models import Tenant


def require_enabled_tenant(tenant_id):
    """Raise a 401 unless ``tenant_id`` is registered and enabled."""
    enabled = Tenant.objects.filter(pk=tenant_id).values_list("enabled", flat=True).first()
    if enabled is None:
        raise AuthenticationFailed("The token's tenant is not registered.", code="unknown_tenant")
    if not enabled:
        raise AuthenticationFailed("The token's tenant is disabled.", code="disabled_tenant")
