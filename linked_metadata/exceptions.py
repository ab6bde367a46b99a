"""Domain errors of linked-metadata writes, shaped like DRF's exceptions (GraphQL maps them to Kraken codes)."""

from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError


class LinkedMetadataKeyExists(APIException):
    """``createMetadata`` of a key that the linked object already has."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This key already exists on this linked object; use updateMetadata to replace its value."
    default_code = "key_already_exists"


class LinkedMetadataKeyNotFound(APIException):
    """A key that the linked object does not have (in the caller's tenant)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "This key does not exist on this linked object."
    default_code = "key_does_not_exist"


class InvalidLinkedMetadata(ValidationError):
    """Linked-metadata input that breaks a rule; ``detail`` maps each field to its problems."""
