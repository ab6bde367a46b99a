"""``GET /tenant``: the caller's tenant, its quotas and usage, and where its rate limits stand."""

from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.models import Tenant
from tenants.openapi import TENANT_OPERATION
from tenants.permissions import IsTenantIdentity
from tenants.quotas import tenant_quotas
from tenants.throttling import RATE_LIMITS_MEMO


class TenantView(APIView):
    """Any valid token of a tenant may read it; the numbers of ``rateLimits`` count this request too."""

    permission_classes = [IsTenantIdentity]

    @TENANT_OPERATION
    def get(self, request):
        tenant = Tenant.objects.for_tenant(request.user.tenant_id).get()
        states = request.user.memo.get(RATE_LIMITS_MEMO) or []
        return Response(
            {
                "uuid": str(tenant.uuid),
                "name": tenant.name,
                "quotas": tenant_quotas(tenant),
                "rateLimits": [state.as_dict() for state in states],
            }
        )
