"""How authentication appears in the OpenAPI document (drf-spectacular): the JWT scheme and /tokens."""

from typing import cast

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema

from metadata_service.openapi import problem_responses, schema_component


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


def token(description):
    return {"type": "string", "pattern": r"^[\w-]+\.[\w-]+\.[\w-]+$", "description": description}


ACCESS = token("An access token with the member's claims; send it as `Authorization: Bearer <access>`.")
TOKEN_PAIR = schema_component(
    "TokenPair",
    {
        "type": "object",
        "required": ["access", "refresh"],
        "properties": {"access": ACCESS, "refresh": token("Exchange it at `/tokens/refresh` for a new access token.")},
    },
)
ACCESS_TOKEN = schema_component(
    "AccessToken", {"type": "object", "required": ["access"], "properties": {"access": ACCESS}}
)
TOKEN_ERRORS = problem_responses(400, 401, 406, 411, 413, 415, 501, 503)
SAMPLE_LOGIN = {"username": "ops-reader", "password": "a-long-passphrase"}
SAMPLE_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJ0ZW5hbnQiOiJkMmM3In0.c2lnbmF0dXJl"


def loaded_view(extension: OpenApiViewExtension) -> type:
    """The view class an extension describes: drf-spectacular replaces the dotted ``target_class`` by the class
    it names when it loads the extension, before any ``view_replacement()``."""
    return cast(type, extension.target_class)


class MemberTokenObtainSchema(OpenApiViewExtension):
    """``POST /tokens``: what it takes and answers."""

    target_class = "tenants.token_views.MemberTokenObtainView"

    def view_replacement(self):
        schema = extend_schema(
            summary="Tokens for a tenant member (username and password)",
            description="For a Django user that belongs to a tenant (a tenant member in the admin). A wrong "
            "password, an inactive user, a user of no tenant or of a disabled tenant is a 401.",
            responses={
                200: OpenApiResponse(TOKEN_PAIR, "A refresh and an access token."),
                **TOKEN_ERRORS,
                **problem_responses(429),  # THROTTLE_RATE_LOGIN
            },
            examples=[OpenApiExample("member", SAMPLE_LOGIN, request_only=True)],
        )
        return schema(type("Documented", (loaded_view(self),), {}))  # a subclass: the view itself is unchanged


class MemberTokenRefreshSchema(OpenApiViewExtension):
    """``POST /tokens/refresh``: what it takes and answers."""

    target_class = "tenants.token_views.MemberTokenRefreshView"

    def view_replacement(self):
        schema = extend_schema(
            summary="A new access token for a refresh token",
            description="The claims are read again: a role added, a user deactivated or a tenant disabled shows "
            "in the new token. An expired or malformed refresh token is a 401.",
            responses={200: OpenApiResponse(ACCESS_TOKEN, "A new access token."), **TOKEN_ERRORS},
            examples=[OpenApiExample("refresh", {"refresh": SAMPLE_JWT}, request_only=True)],
        )
        return schema(type("Documented", (loaded_view(self),), {}))  # a subclass: the view itself is unchanged


LIMIT = {"type": "integer", "minimum": 0}
TENANT = schema_component(
    "Tenant",
    {
        "type": "object",
        "required": ["uuid", "name", "quotas", "rateLimits"],
        "properties": {
            "uuid": {"type": "string", "format": "uuid"},
            "name": {"type": "string"},
            "quotas": {
                "type": "object",
                "description": "Each quota by name: its `limit`, and `used` for the count quotas "
                "(`max_resources`, `max_metadata_types`). A write past one is a 403 `/problems/quota_exceeded`.",
                "additionalProperties": {
                    "type": "object",
                    "required": ["limit"],
                    "properties": {"limit": LIMIT, "used": LIMIT},
                },
            },
            "rateLimits": {
                "type": "array",
                "description": "The tenant's and the token's rate limits, this request counted.",
                "items": {
                    "type": "object",
                    "required": ["scope", "limit", "window", "remaining"],
                    "properties": {
                        "scope": {"type": "string", "enum": ["tenant", "token"]},
                        "limit": LIMIT,
                        "window": {"type": "integer", "minimum": 1, "description": "Seconds."},
                        "remaining": LIMIT,
                    },
                },
            },
        },
    },
)
TENANT_OPERATION = extend_schema(
    operation_id="tenant_read",
    summary="The caller's tenant: quotas, usage and rate limits",
    tags=["tenant"],
    responses={200: OpenApiResponse(TENANT, "The tenant of the token."), **problem_responses(401, 406, 429, 503)},
)
