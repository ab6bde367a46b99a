from django.urls import re_path
from rest_framework.routers import SimpleRouter

from metadata_types.views import MetadataTypeContextView, MetadataTypeViewSet

router = SimpleRouter()
router.trailing_slash = "/?"
router.register("metadata-types", MetadataTypeViewSet, basename="metadata-type")

urlpatterns = [
    re_path(r"^contexts/MetadataType/?$", MetadataTypeContextView.as_view(), name="metadata-type-context"),
    *router.urls,
]
