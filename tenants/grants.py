"""What a permission string says: an operation, and for metadata operations optionally one owner.

``metadata:edit`` grants editing every resource of the tenant; ``metadata:edit@BusinessUnit:<uuid>``
only resources whose ``owner`` is ``BusinessUnit`` and whose ``ownerUuid`` is ``<uuid>``.
Deciding who may do what is ``tenants.permissions``'s job; this module only reads the strings.
"""

import uuid
from dataclasses import dataclass

METADATA_OPERATIONS = ("browse", "read", "add", "edit", "delete")
METADATA_PERMISSIONS = tuple(f"metadata:{operation}" for operation in METADATA_OPERATIONS)
CAN_MUTATE_METADATA = "CAN_MUTATE_METADATA"
CAN_VIEW_METADATA = "CAN_VIEW_METADATA"
# Defining the schemas of resource types (/metadata-types); never limited to an owner.
METADATA_TYPE_PERMISSIONS = tuple(f"metadata-type:{operation}" for operation in METADATA_OPERATIONS)
KNOWN_PERMISSIONS = (*METADATA_PERMISSIONS, *METADATA_TYPE_PERMISSIONS, CAN_MUTATE_METADATA, CAN_VIEW_METADATA)


@dataclass(frozen=True)
class OwnerScope:
    """One owner of metadata resources: the pair (``owner``, ``ownerUuid``)."""

    owner: str
    owner_uuid: uuid.UUID


@dataclass(frozen=True)
class Grant:
    """A parsed permission: its name, and the owner it is limited to (None: every owner)."""

    name: str
    scope: OwnerScope | None = None


class InvalidPermission(ValueError):
    """A permission string that is not one of ``KNOWN_PERMISSIONS``, optionally owner-scoped."""


def parse_grant(text):
    """Read ``name`` or ``metadata:<op>@<owner>:<ownerUuid>``; raise ``InvalidPermission`` otherwise."""
    name, at, scope = text.partition("@")
    if name not in KNOWN_PERMISSIONS:
        raise InvalidPermission(f"'{name}' is not a permission; use one of {', '.join(KNOWN_PERMISSIONS)}.")
    if not at:
        return Grant(name)
    if name not in METADATA_PERMISSIONS:
        raise InvalidPermission(f"'{name}' cannot be limited to an owner.")
    return Grant(name, parse_owner_scope(scope))


def parse_owner_scope(text):
    """``<owner>:<ownerUuid>`` (the owner may itself hold colons; the UUID is after the last one)."""
    owner, colon, owner_uuid = text.rpartition(":")
    try:
        if not (owner and colon):
            raise ValueError
        return OwnerScope(owner, uuid.UUID(owner_uuid))
    except ValueError:
        raise InvalidPermission(f"'@{text}' is not an owner scope; write @<owner>:<ownerUuid>.") from None


def readable_grants(permissions):
    """The grants among ``permissions`` that parse; others (another service's, or typos) grant nothing here."""
    grants = []
    for text in permissions:
        try:
            grants.append(parse_grant(text))
        except InvalidPermission:
            continue
    return grants
