"""Platform access tokens: verified with simplejwt, and issued for standalone installs."""

import threading
import time
import uuid
from collections import OrderedDict
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

import jwt
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework_simplejwt import settings as simplejwt_settings
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.tokens import RefreshToken, Token

from metadata_service.conf import service_settings

# The NumericDate claims (RFC 7519): JSON numbers of seconds since 1970, and here before the year 10000,
# the last one Python's datetime holds. PyJWT alone takes a numeric string, and simplejwt then fails on it
# or on an `exp` in milliseconds (year 55000).
NUMERIC_DATE_CLAIMS = ("exp", "nbf", "iat")
LAST_NUMERIC_DATE = 253402300799  # 9999-12-31T23:59:59Z

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
        payload = self._verified_payload(token)
        _check_numeric_dates(payload)
        return payload

    def _verified_payload(self, token):
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
        except (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError, jwt.DecodeError) as exc:
            if not isinstance(exc, jwt.DecodeError) or "claim (" in str(exc):
                # Raised once the signature verified: a date that is no NumericDate (true, null, 10**20)
                # is named as such rather than called expired or malformed.
                _check_numeric_dates(jwt.decode(token, options={"verify_signature": False}))
            raise TokenBackendError(_message_for(exc)) from exc
        except jwt.InvalidTokenError as exc:
            raise TokenBackendError(_message_for(exc)) from exc


def _check_numeric_dates(payload):
    for claim in NUMERIC_DATE_CLAIMS:
        if claim in payload and not _is_numeric_date(payload[claim]):
            raise TokenBackendError(
                f"The token's '{claim}' claim must be a number of seconds since 1970 (not milliseconds, "
                "not a string), before the year 10000."
            )


def _is_numeric_date(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= LAST_NUMERIC_DATE


def _message_for(exc):
    for error_class, message in DECODE_ERROR_MESSAGES:
        if isinstance(exc, error_class):
            return message
    return "The token is invalid."


def build_token_backend():
    """The backend of the current ``SIMPLE_JWT`` settings (simplejwt rebuilds them when a test overrides them)."""
    return _backend_for(simplejwt_settings.api_settings)


@lru_cache(maxsize=4)
def _backend_for(jwt_settings):
    # One backend per settings object, so that a PEM key is parsed once, not on every request.
    return PlatformTokenBackend(
        jwt_settings.ALGORITHM,
        jwt_settings.SIGNING_KEY,
        jwt_settings.VERIFYING_KEY,
        jwt_settings.AUDIENCE,
        jwt_settings.ISSUER,
        None,
        jwt_settings.LEEWAY,
    )


if TYPE_CHECKING:  # what the mixin below is mixed into, for mypy only (at run time its base is object)
    TokenBase = Token
else:
    TokenBase = object


class PlatformVerifiedMixin(TokenBase):
    """Decodes with ``PlatformTokenBackend`` and keeps its precise message when a token fails."""

    def get_token_backend(self):
        return build_token_backend()

    def __init__(self, token=None, verify=True):
        try:
            super().__init__(token, verify)
        except TokenError as exc:
            raise TokenError(_unwrap(exc)) from exc


class PlatformAccessToken(PlatformVerifiedMixin, Token):
    """An access token as the platform issues it: ``exp`` and ``tenant`` required, no type or id needed.

    Platform tokens carry no ``token_type`` and no ``jti``; a token that does carry a type must be an
    access token, so a refresh token is never accepted in its place.
    """

    token_type = "access"
    lifetime = simplejwt_settings.api_settings.ACCESS_TOKEN_LIFETIME

    def verify(self):
        self.check_exp()
        claimed_type = self.payload.get(simplejwt_settings.api_settings.TOKEN_TYPE_CLAIM)
        if claimed_type not in (None, self.token_type):
            raise TokenError(f"A {claimed_type} token cannot be used as an access token.")


class VerifiedTokenCache:
    """Tokens this process has verified, so that a client sending the same token again is not re-verified.

    Bounded (the least recently used entry goes first), keyed by the verifying backend (algorithm, keys,
    issuer, audience, leeway: a settings change starts afresh) and the token itself, and an entry never
    outlives the token's ``exp``: from then on the token is verified again, and refused once past the leeway.
    The tenant's state is not cached here: every request still asks for it.
    """

    def __init__(self):
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, backend, raw):
        key = (backend, raw)
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            token, expires_at = entry
            if time.time() >= expires_at:
                del self.entries[key]
                return None
            self.entries.move_to_end(key)
            return token

    def put(self, backend, raw, token, size):
        expires_at = token.payload.get("exp")
        if size <= 0 or isinstance(expires_at, bool) or not isinstance(expires_at, (int, float)):
            return
        if time.time() >= expires_at:
            return  # accepted within the leeway only: not worth keeping
        with self.lock:
            self.entries[(backend, raw)] = (token, expires_at)
            while len(self.entries) > size:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


VERIFIED_TOKENS = VerifiedTokenCache()


def verified_access_token(raw):
    """The ``PlatformAccessToken`` of ``raw`` (bytes or str), from this process's cache when it was verified before.

    Raises ``TokenError`` (with the precise message) for a token that does not verify.
    """
    backend = build_token_backend()
    token = VERIFIED_TOKENS.get(backend, raw)
    if token is None:
        token = PlatformAccessToken(raw)
        VERIFIED_TOKENS.put(backend, raw, token, service_settings.TOKEN_CACHE_SIZE)
    return token


def _unwrap(exc):
    """simplejwt replaces the backend's message by a generic one; keep the precise one."""
    cause = exc.__cause__
    if isinstance(cause, TokenBackendError) and cause.args:
        return str(cause.args[0])
    return str(exc.args[0]) if exc.args else "The token is invalid."


def platform_claims(*, tenant_id, identity_type, identity_uuid=None, roles=(), permissions=(), email=None, accounts=()):
    """The claims of the platform's tokens (auth.md): tenant, identity, permissions, email, accounts."""
    claims = {
        "tenant": str(tenant_id),
        "identity": {"type": identity_type, "uuid": identity_uuid or str(uuid.uuid4()), "roles": list(roles)},
        "permissions": list(permissions),
    }
    if email:
        claims["email"] = email
    if accounts:
        claims["accounts"] = list(accounts)
    return claims


def issue_platform_token(*, ttl_seconds=3600, **claims):
    """Sign an access token with the platform's claims (keyword arguments of ``platform_claims``)."""
    require_signing_key()
    token = PlatformAccessToken()
    token.set_exp(lifetime=timedelta(seconds=ttl_seconds))
    token.payload.update(platform_claims(**claims))
    return str(token)


class TokenIssuingUnavailable(APIException):
    """The service verifies RS256/ES256 tokens with a public key but holds no private key to sign any."""

    status_code = status.HTTP_501_NOT_IMPLEMENTED
    default_detail = "This service only verifies tokens: set JWT_PRIVATE_KEY to let it issue them."
    default_code = "token_issuing_unavailable"


def require_signing_key():
    """Raise ``TokenIssuingUnavailable`` unless a token can be signed with the configured algorithm."""
    if not simplejwt_settings.api_settings.SIGNING_KEY:
        raise TokenIssuingUnavailable()


class MemberRefreshToken(PlatformVerifiedMixin, RefreshToken):  # type: ignore[misc]  # simplejwt's own bases disagree on for_user
    """The refresh token of ``POST /tokens``, verified like an access token (pinned algorithm, exp required)."""

    access_token_class = PlatformAccessToken  # type: ignore[assignment]  # simplejwt annotates its own class, not a subclass
