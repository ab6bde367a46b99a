from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.routers import SimpleRouter

from metadatas.graphql_api.view import KrakenGraphQLView
from metadatas.item_read import with_lean_read
from metadatas.views import MetadataContextView, MetadataViewSet

router = SimpleRouter()
router.trailing_slash = "/?"  # /metadatas and /metadatas/ mean the same
router.register("metadatas", MetadataViewSet, basename="metadata")


def lean_item_reads(patterns):
    """The router's routes, the item route's plain GETs answered by the short path (metadatas.item_read)."""
    for pattern in patterns:
        if pattern.name == "metadata-detail":
            pattern = re_path(pattern.pattern.regex.pattern, with_lean_read(pattern.callback), name=pattern.name)
        yield pattern


urlpatterns = [
    re_path(r"^contexts/Metadata/?$", MetadataContextView.as_view(), name="metadata-context"),
    *lean_item_reads(router.urls),
    # Token-authenticated, no cookies: CSRF does not apply (the seed's clients send no CSRF token).
    re_path(r"^v1/graphql/?$", csrf_exempt(KrakenGraphQLView.as_view()), name="graphql"),
]
