"""Domain errors of metadata writes, shaped like DRF's exceptions and rendered as problem+json."""

from rest_framework import status
from rest_framework.exceptions import APIException


class VersionConflict(APIException):
    """The client's version is stale: someone changed the resource since it was read."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource has changed since this version was read."
    default_code = "version_conflict"

    def __init__(self, *, current_version, given_version):
        super().__init__(
            f"Version {given_version} is stale: the resource is at version {current_version}. "
            "Read it again and retry with the current version."
        )
        self.current_version = current_version
        self.problem_extensions = {"currentVersion": current_version}


class PreconditionFailed(APIException):
    """An ``If-Match`` header names a version the resource no longer has."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The If-Match header does not match the resource's current ETag."
    default_code = "precondition_failed"

    def __init__(self, *, current_version):
        super().__init__(f'If-Match does not match: the resource\'s current ETag is "{current_version}".')
        self.current_version = current_version
        self.problem_extensions = {"currentVersion": current_version}
