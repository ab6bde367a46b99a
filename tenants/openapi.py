"""How the JWT authentication appears in the OpenAPI document (drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TenantJWTScheme(OpenApiAuthenticationExtension):
    """``TenantJWTAuthentication`` as an HTTP bearer scheme named ``jwt``."""

    target_class = "tenants.authentication.TenantJWTAuthentication"
    name = "jwt"
    priority = 1  # before drf-spectacular's own simplejwt extension, which would match the parent class

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A JWT whose `tenant` claim names a registered, enabled tenant (claims: `tenant`, "
            "`identity`, `permissions`, `email`, `accounts`; `exp` required). Sent as "
            "`Authorization: Bearer <jwt>`; the service also accepts `Authorization: JWT <jwt>` and a bare "
            "`Authorization: <jwt>`, which OpenAPI cannot describe as a scheme.",
        }
