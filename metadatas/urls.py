from django.urls import re_path
from rest_framework.routers import SimpleRouter

from metadata_service.short_routes import short_route
from metadatas.history_views import MetadataRevisionContextView, MetadataRevisionViewSet
from metadatas.item_read import answer_lean_read, takes_lean_read
from metadatas.list_read import lean_list, takes_lean_list
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


# The short paths of the hot reads (metadatas.item_read, metadatas.list_read): the plain GETs of the router's
# item and list routes, past Django's resolver and the middleware that has nothing to do for them.
short_route("metadata-detail", takes=takes_lean_read, answer=answer_lean_read)
short_route("metadata-list", takes=takes_lean_list, answer=lean_list)


urlpatterns = [
    # Hydra: the entrypoint and the API documentation API Platform's tools start from.
    re_path(r"^$", EntrypointView.as_view(), name="hydra-entrypoint"),
    re_path(r"^contexts/Entrypoint/?$", EntrypointContextView.as_view(), name="hydra-entrypoint-context"),
    re_path(r"^docs\.jsonld$", ApiDocumentationView.as_view(), name="hydra-documentation"),
    re_path(r"^contexts/Metadata/?$", MetadataContextView.as_view(), name="metadata-context"),
    re_path(r"^contexts/MetadataRevision/?$", MetadataRevisionContextView.as_view(), name="revision-context"),
    *router.urls,
    revision_route(REVISIONS, {"get": "list"}, "metadata-revisions"),
    revision_route(REVISION, {"get": "retrieve"}, "metadata-revision"),
    revision_route(REVISION + "/diff", {"get": "diff"}, "metadata-revision-diff"),
    revision_route(REVISION + "/restore", {"post": "restore"}, "metadata-revision-restore"),
]
