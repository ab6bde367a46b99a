from django.urls import re_path
from rest_framework.routers import SimpleRouter

from metadatas.views import MetadataContextView, MetadataViewSet

router = SimpleRouter()
router.trailing_slash = "/?"  # /metadatas and /metadatas/ mean the same
router.register("metadatas", MetadataViewSet, basename="metadata")

urlpatterns = [
    re_path(r"^contexts/Metadata/?$", MetadataContextView.as_view(), name="metadata-context"),
    *router.urls,
]
