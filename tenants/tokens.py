"""Platform access tokens: verified with simplejwt, and issued for standalone installs."""

import uuid
from datetime import timedelta
from functools import lru_cache

import jwt
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

# PyJWT's verdicts, in words a client can act on (checked most specific first).
DECODE_ERROR_MESSAGES = (
    (jwt.ExpiredSignatureError, "The token has expired."),
    (jwt.ImmatureSignatureError, "The token is not valid yet (nbf or iat lies in the future)."),
    (jwt.InvalidAlgorithmError, "The token is not signed with the algorithm this service accepts."),
    (jwt.InvalidSignatureError, "The token's signature does not verify."),
    (jwt.InvalidIssuerError, "The token's issuer is not accepted."),
    (jwt.InvalidAudienceError, "The token's audience is not accepted."),
    (jwt.InvalidIssuedAtError, "The token's 'iat' claim is not a number."),
    (jwt.DecodeError, "The token is malformed."),
)


class PlatformTokenBackend(TokenBackend):
    """simplejwt's backend with ``exp`` required and one clear message per failure."""

    def decode(self, token, verify=True):
        try:
            return jwt.decode(
                token,
                self.get_verifying_key(token),
                algorithms=[self.algorithm],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.get_leeway(),
                options={"require": ["exp"], "verify_aud": self.audience is not None},
            )
        except jwt.MissingRequiredClaimError as exc:
            raise TokenBackendError(f"The token has no '{exc.claim}' claim.") from exc
        except jwt.InvalidTokenError as exc:
            raise TokenBackendError(_message_for(exc)) from exc


def _message_for(exc):
    for error_class, message in DECODE_ERROR_MESSAGES:
        if isinstance(exc, error_class):
            return message
    return "The token is invalid."


def build_token_backend():
    """The backend for the current settings, built once per settings (it prepares the keys)."""
    return _token_backend(
        api_settings.ALGORITHM,
        api_settings.SIGNING_KEY,
        api_settings.VERIFYING_KEY,
        api_settings.AUDIENCE,
        api_settings.ISSUER,
        api_settings.LEEWAY,
    )


@lru_cache(maxsize=8)
def _token_backend(algorithm, signing_key, verifying_key, audience, issuer, leeway):
    return PlatformTokenBackend(algorithm, signing_key, verifying_key, audience, issuer, None, leeway)


class PlatformAccessToken(Token):
    """An access token as the platform issues it: ``exp`` and ``tenant`` required, no type or id needed.

    Platform tokens carry no ``token_type`` and no ``jti``; a token that does carry a type must be an
    access token, so a refresh token is never accepted in its place.
    """

    token_type = "access"
    lifetime = api_settings.ACCESS_TOKEN_LIFETIME

    def get_token_backend(self):
        return build_token_backend()

    def __init__(self, token=None, verify=True):
        try:
            super().__init__(token, verify)
        except TokenError as exc:
            raise TokenError(_unwrap(exc)) from exc

    def verify(self):
        self.check_exp()
        claimed_type = self.payload.get(api_settings.TOKEN_TYPE_CLAIM)
        if claimed_type not in (None, self.token_type):
            raise TokenError(f"A {claimed_type} token cannot be used as an access token.")


def _unwrap(exc):
    """simplejwt replaces the backend's message by a generic one; keep the precise one."""
    cause = exc.__cause__
    if isinstance(cause, TokenBackendError) and cause.args:
        return str(cause.args[0])
    return str(exc.args[0]) if exc.args else "The token is invalid."


def issue_platform_token(*, tenant_id, identity_type, identity_uuid=None, roles=(), permissions=(),
                         email=None, accounts=(), ttl_seconds=3600):  # fmt: skip
    """Sign an access token with the platform's claims (see auth.md)."""
    token = PlatformAccessToken()
    token.set_exp(lifetime=timedelta(seconds=ttl_seconds))
    token["tenant"] = str(tenant_id)
    token["identity"] = {"type": identity_type, "uuid": identity_uuid or str(uuid.uuid4()), "roles": list(roles)}
    token["permissions"] = list(permissions)
    if email:
        token["email"] = email
    if accounts:
        token["accounts"] = list(accounts)
    return str(token)
