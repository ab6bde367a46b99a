from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt
from rest_framework.routers import SimpleRouter

from metadatas.graphql_api.view import KrakenGraphQLView
from metadatas.views import MetadataContextView, MetadataViewSet

router = SimpleRouter()
router.trailing_slash = "/?"  # /metadatas and /metadatas/ mean the same
router.register("metadatas", MetadataViewSet, basename="metadata")

urlpatterns = [
    re_path(r"^contexts/Metadata/?$", MetadataContextView.as_view(), name="metadata-context"),
    *router.urls,
    # Token-authenticated, no cookies: CSRF does not apply (the seed's clients send no CSRF token).
    re_path(r"^v1/graphql/?$", csrf_exempt(KrakenGraphQLView.as_view()), name="graphql"),
]
