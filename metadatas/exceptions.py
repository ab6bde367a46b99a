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


class NotDeleted(APIException):
    """``undelete`` of a resource that is live."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This resource is not deleted: there is nothing to undelete."
    default_code = "not_deleted"


class SlugTaken(APIException):
    """An undelete or restore would give the resource a slug that another live resource holds now."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "Another live resource of this tenant holds this slug now; nothing was changed."
    default_code = "slug_taken"

    def __init__(self, slug):
        super().__init__(f"Another live resource of this tenant holds the slug {slug!r} now; nothing was changed.")
        self.problem_extensions = {"slug": slug}


class RevisionNotFound(APIException):
    """A revision the resource does not have (never written, or pruned by ``REVISIONS_KEEP``)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_detail = "This resource has no such revision (never written, or pruned)."
    default_code = "not_found"
