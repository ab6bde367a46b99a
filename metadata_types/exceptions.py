"""Domain errors of metadata-type writes, rendered as problem+json."""

from rest_framework import status
from rest_framework.exceptions import APIException


class SchemaIncompatible(APIException):
    """Stored resources of the type fail the new schema; nothing was changed (``?force=true`` overrides)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "schema_incompatible"

    def __init__(self, *, failing: int, examples: list[dict]):
        super().__init__(
            f"{failing} stored resource(s) of this type fail the new schema; nothing was changed. "
            "Fix them first, or send ?force=true to store the schema anyway."
        )
        self.problem_extensions = {"failing": failing, "examples": examples}


class TypeInUse(APIException):
    """Resources still have this type, so its definition stays."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "type_in_use"

    def __init__(self, *, count: int):
        super().__init__(f"{count} resource(s) still have this type; change or delete them first.")
        self.problem_extensions = {"count": count}
