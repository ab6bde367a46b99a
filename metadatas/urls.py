from django.urls import re_path
from rest_framework.routers import SimpleRouter

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

urlpatterns = [
    # Hydra: the entrypoint and the API documentation API Platform's tools start from.
    re_path(r"^$", EntrypointView.as_view(), name="hydra-entrypoint"),
    re_path(r"^contexts/Entrypoint/?$", EntrypointContextView.as_view(), name="hydra-entrypoint-context"),
    re_path(r"^docs\.jsonld$", ApiDocumentationView.as_view(), name="hydra-documentation"),
    re_path(r"^contexts/Metadata/?$", MetadataContextView.as_view(), name="metadata-context"),
    *router.urls,
]
