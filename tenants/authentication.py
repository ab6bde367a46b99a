"""JWT authentication that ties every API request to one enabled tenant."""

from types import SimpleNamespace

from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTStatelessUserAuthentication
from rest_framework_simplejwt.exceptions import TokenError

from tenants.identity import identity_of_token
from tenants.registry import require_enabled_tenant
from tenants.throttling import TenantAndTokenRateThrottle
from tenants.tokens import verified_access_token

ACCEPTED_SCHEMES = {b"bearer", b"jwt"}


class TenantJWTAuthentication(JWTStatelessUserAuthentication):
    """Verifies a platform JWT sent as ``Bearer <jwt>``, ``JWT <jwt>`` or a bare ``<jwt>``.

    On success ``request.user`` is the ``TokenIdentity`` the claims describe (tenant, identity,
    permissions, email, accounts) and ``request.auth`` is the verified ``PlatformAccessToken``.
    No user row is read; the tenant must be registered and enabled. The Django request gets
    ``tenant_id`` too, for code outside DRF (the request log) that must not know who authenticated.
    The tenant's state and the request's rate-limit counters take one Redis round trip at most: the counts
    are kept on the identity for ``TenantAndTokenRateThrottle``, which decides after the permission checks.
    """

    def authenticate(self, request):
        authenticated = super().authenticate(request)
        if authenticated is None:
            return None
        identity, token = authenticated
        django_request = getattr(request, "_request", request)
        django_request.tenant_id = identity.tenant_id
        django_request.token_identity = identity  # its rate-limit numbers become headers (tenants.throttling)
        counters = TenantAndTokenRateThrottle().plan(SimpleNamespace(user=identity, auth=token))
        counts = require_enabled_tenant(identity.tenant_id, counters=counters)
        if counts is not None:
            TenantAndTokenRateThrottle.keep_counts(identity, counters, counts)
        return identity, token

    def get_raw_token(self, header):
        parts = header.split()
        if len(parts) == 1:
            return parts[0]
        if len(parts) == 2 and parts[0].lower() in ACCEPTED_SCHEMES:
            return parts[1]
        if parts and parts[0].lower() not in ACCEPTED_SCHEMES:
            return None  # another scheme (Basic, ...): not ours, so unauthenticated
        raise AuthenticationFailed(
            "The Authorization header must be 'Bearer <token>', 'JWT <token>' or '<token>'.",
            code="bad_authorization_header",
        )

    def get_validated_token(self, raw_token):
        try:
            return verified_access_token(raw_token)
        except TokenError as exc:
            raise AuthenticationFailed(str(exc.args[0]), code="token_not_valid") from exc

    def get_user(self, validated_token):
        return identity_of_token(validated_token)

    def authenticate_header(self, request):
        return 'Bearer realm="metadata"'
