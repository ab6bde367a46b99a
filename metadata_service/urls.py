from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerView

from metadata_service.health import LivenessView, ReadinessView
from metadata_service.metrics import metrics_view
from metadata_service.openapi import OpenApiDocumentView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("metadatas.urls")),
    path("", include("metadata_types.urls")),
    path("", include("linked_metadata.urls")),
    path("", include("changes.urls")),
    path("", include("tenants.urls")),
    # Operators' endpoints: no token.
    re_path(r"^health/live/?$", LivenessView.as_view(), name="health-live"),
    re_path(r"^health/ready/?$", ReadinessView.as_view(), name="health-ready"),
    re_path(r"^metrics/?$", metrics_view, name="metrics"),
    re_path(r"^docs/openapi\.json$", OpenApiDocumentView.as_view(), name="openapi-schema"),
    re_path(r"^docs/?$", SpectacularSwaggerView.as_view(url_name="openapi-schema"), name="docs"),
    # Browsers ask for it on every admin and docs page; "no icon" is an answer, not a 404 to log as a warning.
    path("favicon.ico", lambda request: HttpResponse(status=204, headers={"Cache-Control": "max-age=86400"})),
]

handler400 = "metadata_service.problems.bad_request_view"
handler403 = "metadata_service.problems.permission_denied_view"
handler404 = "metadata_service.problems.not_found_view"
handler500 = "metadata_service.problems.server_error_view"
