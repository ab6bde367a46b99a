from django.urls import re_path
from rest_framework.routers import SimpleRouter

from metadata_service.short_routes import short_route
from metadatas.history_views import MetadataRevisionContextView, MetadataRevisionViewSet
from metadatas.item_read import takes_lean_read, with_lean_read
from metadatas.list_read import takes_lean_list, with_lean_list
from metadatas.views import (
    ApiDocumentationView,
    EntrypointContextView,
    EntrypointView,
    MetadataContextView,
    MetadataViewSet,
)

router = SimpleRouter()
router.trailing_slash = "/?"  # /metadatas and /metadatas/ mean the same
router.register("metadatas", MetadataViewSet, basename="metadata")

REVISIONS = r"^metadatas/(?P<uuid>[^/]+)/revisions"
REVISION = REVISIONS + r"/(?P<version>[^/]+)"


def revision_route(suffix, actions, name):
    return re_path(f"{suffix}/?$", MetadataRevisionViewSet.as_view(actions), name=name)


# The short paths of the hot reads (metadatas.item_read, metadatas.list_read), around the router's views;
# their requests also skip Django's resolver and the middleware that has nothing to do for them.
LEAN_READS = {"metadata-detail": with_lean_read, "metadata-list": with_lean_list}
short_route("metadata-detail", takes=takes_lean_read)
short_route("metadata-list", takes=takes_lean_list)


def lean_reads(patterns):
    """The router's routes, the item's and the list's plain GETs answered by their short paths."""
    for pattern in patterns:
        if pattern.name in LEAN_READS:
            callback = LEAN_READS[pattern.name](pattern.callback)
            pattern = re_path(pattern.pattern.regex.pattern, callback, name=pattern.name)
        yield pattern


urlpatterns = [
    # Hydra: the entrypoint and the API documentation API Platform's tools start from.
    re_path(r"^$", EntrypointView.as_view(), name="hydra-entrypoint"),
    re_path(r"^contexts/Entrypoint/?$", EntrypointContextView.as_view(), name="hydra-entrypoint-context"),
    re_path(r"^docs\.jsonld$", ApiDocumentationView.as_view(), name="hydra-documentation"),
    re_path(r"^contexts/Metadata/?$", MetadataContextView.as_view(), name="metadata-context"),
    re_path(r"^contexts/MetadataRevision/?$", MetadataRevisionContextView.as_view(), name="revision-context"),
    *lean_reads(router.urls),
    revision_route(REVISIONS, {"get": "list"}, "metadata-revisions"),
    revision_route(REVISION, {"get": "retrieve"}, "metadata-revision"),
    revision_route(REVISION + "/diff", {"get": "diff"}, "metadata-revision-diff"),
    revision_route(REVISION + "/restore", {"post": "restore"}, "metadata-revision-restore"),
]
