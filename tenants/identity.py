"""The caller a verified token describes."""

import uuid
from dataclasses import dataclass, field, replace

from django.db import models
from rest_framework.exceptions import AuthenticationFailed

IDENTITY_TYPES = ("System", "Staff", "Individual", "Organization", "Anonymous", "AccountUser")


def normalize_email(email: str) -> str:
    """The one form an email is stored and compared in: lower case (``str.lower``), nothing more.

    Not ``casefold()``: it maps ``ß`` to ``ss`` (and ``ſ`` to ``s``, ``ﬁ`` to ``fi``, ``ς`` to ``σ``), so
    ``a@straße.com`` and ``a@strasse.com``, two mailboxes, would be one user. Lower case can grow a text
    (``İ`` becomes two characters): check lengths on what this returns.
    """
    return email.lower()


@dataclass(frozen=True)
class TokenIdentity:
    """Who is calling, for which tenant, with which roles, permissions and linked accounts."""

    tenant_id: uuid.UUID
    type: str = "Anonymous"
    uuid: str | None = None
    roles: tuple[str, ...] = ()
    permissions: frozenset[str] = field(default_factory=frozenset)
    email: str | None = None
    accounts: tuple[str, ...] = ()
    # Answers derived from the identity (its roles' permissions), kept as long as it lives: one request.
    memo: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    # What DRF and Django expect of ``request.user``.
    is_authenticated = True
    is_anonymous = False
    is_active = True

    @property
    def pk(self):
        return self.uuid

    def __str__(self):
        return f"{self.type}:{self.uuid or '-'}@{self.tenant_id}"


@dataclass(frozen=True)
class Actor:
    """Who made a change, as its revision records it: the token's identity, or the admin's user; the request id.

    ``type`` is an identity type (``IDENTITY_TYPES``); ``user`` is a Django username (the admin, ``/tokens``
    members), else None; ``request_id`` is the ``X-Request-ID`` of the request, None for commands.
    """

    type: str
    uuid: uuid.UUID | None
    user: str | None
    request_id: str | None


class ChangeAuthorship(models.Model):
    """The columns a change's record keeps of who made it (its ``Actor``) and of the batch it was part of.

    Abstract: each revision table has these columns itself, so a model that inherits them keeps its table.
    Nothing here is about what was changed."""

    actor_type = models.CharField(max_length=32)
    actor_uuid = models.UUIDField(null=True, blank=True)
    actor_user = models.CharField(max_length=150, blank=True, help_text="Empty when no Django user made it.")
    request_id = models.CharField(max_length=128, blank=True, help_text="Empty for a change made by a command.")
    batch_id = models.UUIDField(null=True, blank=True)

    class Meta:
        abstract = True

    @staticmethod
    def columns_of(actor: Actor, batch_id: uuid.UUID | None) -> dict[str, object]:
        """The values of these columns for a change that ``actor`` made (in batch ``batch_id``, if any)."""
        return {
            "actor_type": actor.type,
            "actor_uuid": actor.uuid,
            "actor_user": actor.user or "",
            "request_id": actor.request_id or "",
            "batch_id": batch_id,
        }


def actor_of_identity(identity, *, request_id=None, user=None):
    """The ``Actor`` of a token's identity; a ``uuid`` claim that is not a UUID is recorded as None."""
    return Actor(type=identity.type, uuid=_uuid_or_none(identity.uuid), user=user, request_id=request_id)


def actor_of_user(user, *, request_id=None):
    """The ``Actor`` of a Django (admin) user: its tenant member's identity when it has one, else Staff."""
    member = getattr(user, "tenant_member", None)
    if member is None:
        return Actor(type="Staff", uuid=None, user=user.get_username(), request_id=request_id)
    return Actor(type=member.identity_type, uuid=member.identity_uuid, user=user.get_username(), request_id=request_id)


def actor_of_request(request):
    """The ``Actor`` of an HTTP request: its token's identity (or its Django user) and its request id."""
    request_id = getattr(request, "request_id", None)
    user = request.user
    if isinstance(user, TokenIdentity):
        return actor_of_identity(user, request_id=request_id)
    return actor_of_user(user, request_id=request_id)


def _uuid_or_none(value):
    try:
        return None if value is None else uuid.UUID(str(value))
    except ValueError:
        return None


def identity_of_token(token):
    """The ``TokenIdentity`` of a verified token: its claims checked once per token object, a fresh copy each call.

    ``tenants.tokens.VERIFIED_TOKENS`` hands the same token object to every request that sends it again, so
    the claims are checked when it is first verified; each request still gets its own identity (its own
    ``memo``: the rate counts and permission answers of one request).
    """
    checked = token.__dict__.get(CHECKED_IDENTITY)
    if checked is None:
        checked = identity_from_claims(token.payload)
        token.__dict__[CHECKED_IDENTITY] = checked
    return replace(checked)


CHECKED_IDENTITY = "checked_identity"


def identity_from_claims(claims):
    """Build a ``TokenIdentity`` from a token's claims, or raise a 401 naming the bad claim."""
    identity = claims.get("identity") or {}
    if not isinstance(identity, dict):
        raise _bad_claim("identity", "must be an object")
    identity_type = identity.get("type", "Anonymous")
    if identity_type not in IDENTITY_TYPES:
        raise _bad_claim("identity.type", f"must be one of {', '.join(IDENTITY_TYPES)}")
    return TokenIdentity(
        tenant_id=_tenant_claim(claims),
        type=identity_type,
        uuid=_optional_string(identity, "uuid", "identity.uuid"),
        roles=tuple(_string_list(identity, "roles", "identity.roles")),
        permissions=frozenset(_string_list(claims, "permissions", "permissions")),
        email=_optional_string(claims, "email", "email"),
        accounts=tuple(_string_list(claims, "accounts", "accounts")),
    )


def _tenant_claim(claims):
    value = claims.get("tenant")
    if value is None:
        raise _bad_claim("tenant", "is required")
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise _bad_claim("tenant", "must be a UUID") from None


def _optional_string(source, key, name):
    value = source.get(key)
    if value is not None and not isinstance(value, str):
        raise _bad_claim(name, "must be a string")
    if value is not None and not _storable(value):
        raise _bad_claim(name, UNSTORABLE)
    return value


def _string_list(source, key, name):
    values = source.get(key) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _bad_claim(name, "must be a list of strings")
    if not all(_storable(value) for value in values):
        raise _bad_claim(name, UNSTORABLE)
    return values


UNSTORABLE = "holds a NUL character or a lone UTF-16 surrogate"


def _storable(text):
    """Text a database query may carry (claims end up in queries: roles, emails, account numbers)."""
    return "\x00" not in text and not any(0xD800 <= ord(char) <= 0xDFFF for char in text)


def _bad_claim(name, problem):
    return AuthenticationFailed(f"The token's '{name}' claim {problem}.", code="bad_claim")
