from rest_framework.routers import SimpleRouter

from bench.textbook.views import MetadataViewSet

router = SimpleRouter(trailing_slash=False)
router.register("metadatas", MetadataViewSet, basename="metadata")
urlpatterns = router.urls
