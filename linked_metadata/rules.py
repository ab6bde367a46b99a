"""What linked-metadata input may be (contract graphql.md): identifier by object type, key and value.

Every write path (GraphQL, admin) cleans its input here, through ``linked_metadata.services``.
"""

import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator

from linked_metadata.exceptions import InvalidLinkedMetadata
from linked_metadata.models import LinkedObjectType
from metadata_service.conf import service_settings
from metadata_service.json_policy import (
    InvalidJSONDocument,
    NotJSONConstant,
    NumberOutOfRange,
    check_json_document,
    strict_loads,
)
from tenants.identity import normalize_email

ACCOUNT_NUMBER_MAX_CHARS = 64
EMAIL_MAX_CHARS = 254
KEY_MAX_CHARS = 255
NOT_GIVEN = object()
validate_email = EmailValidator()


@dataclass(frozen=True)
class JSONText:
    """A value as a client sent it: text meant to hold one JSON document, not yet parsed or checked."""

    text: object


@dataclass(frozen=True)
class CleanLinkedInput:
    """Input that passed every rule: the identifier normalised, the value parsed."""

    linked_object_type: str
    identifier: str
    key: str | None
    value: object


def clean_linked_input(*, linked_object_type, identifier, key=None, value=NOT_GIVEN):
    """The cleaned input, or ``InvalidLinkedMetadata`` naming every field that breaks a rule."""
    problems: dict[str, list[str]] = {}
    cleaned = CleanLinkedInput(
        linked_object_type=_collect(problems, "linked_object_type", clean_linked_object_type, linked_object_type),
        identifier=_collect(problems, "identifier", clean_identifier, linked_object_type, identifier),
        key=None if key is None else _collect(problems, "key", clean_key, key),
        value=value if value is NOT_GIVEN else _collect(problems, "value", clean_value, value),
    )
    if problems:
        raise InvalidLinkedMetadata(problems)
    return cleaned


def _collect(problems, field, clean, *args):
    try:
        return clean(*args)
    except ValueError as exc:
        problems[field] = [str(exc)]
        return None


def clean_linked_object_type(linked_object_type):
    if linked_object_type not in LinkedObjectType.values:
        raise ValueError(f"The linked object type must be one of {', '.join(LinkedObjectType.values)}.")
    return str(linked_object_type)


def clean_identifier(linked_object_type, identifier):
    """An account number as given; an account user's email normalised (one user, one identifier)."""
    if not isinstance(identifier, str):
        raise ValueError("The identifier must be a string.")
    if linked_object_type == LinkedObjectType.ACCOUNT_USER:
        return _clean_email(identifier)
    if not 1 <= len(identifier) <= ACCOUNT_NUMBER_MAX_CHARS or not all(_visible(char) for char in identifier):
        raise ValueError(
            f"An account number is 1 to {ACCOUNT_NUMBER_MAX_CHARS} printable characters without spaces, like A-154321."
        )
    return identifier


def _visible(char):
    return char.isprintable() and not char.isspace()


def _clean_email(identifier):
    """The email as it is stored and compared (``normalize_email``); its length checked in that form."""
    normalized = normalize_email(identifier)
    try:
        if len(normalized) > EMAIL_MAX_CHARS:
            raise DjangoValidationError("too long")
        validate_email(identifier)
    except DjangoValidationError:
        raise ValueError(
            f"An account user is identified by an email address of at most {EMAIL_MAX_CHARS} characters "
            "(counted in lower case), like some.test@email.com."
        ) from None
    return normalized


def clean_key(key):
    if not isinstance(key, str) or not 1 <= len(key) <= KEY_MAX_CHARS:
        raise ValueError(f"The key must be 1 to {KEY_MAX_CHARS} characters.")
    try:
        check_json_document(key, max_depth=1)
    except InvalidJSONDocument as exc:
        raise ValueError(f"The key {exc}.") from None
    return key


def clean_value(value):
    """The JSON document: parsed from ``JSONText``, then checked as storable and within the size limit."""
    if isinstance(value, JSONText):
        value = _parse_json_text(value.text)
    try:
        check_json_document(value, max_depth=service_settings.JSON_MAX_DEPTH)
    except InvalidJSONDocument as exc:
        raise ValueError(f"The value {exc}.") from None
    limit = service_settings.LINKED_METADATA_VALUE_MAX_BYTES
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    if size > limit:
        raise ValueError(f"The value is {size} bytes as compact JSON; at most {limit} bytes are allowed.")
    return value


def _parse_json_text(text):
    if not isinstance(text, str):
        raise ValueError('The value must be a string holding a JSON document, like "{\\"pet_type\\": \\"dog\\"}".')
    try:
        return strict_loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"The value is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).") from None
    except NotJSONConstant as exc:
        raise ValueError(f"The value holds {exc.name}, which is not JSON.") from None
    except NumberOutOfRange:
        raise ValueError("The value holds a number out of range.") from None
    except RecursionError:
        raise ValueError("The value nests too deeply to be read.") from None
