from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("metadatas.urls")),
    path("", include("tenants.urls")),
]

handler400 = "metadata_service.problems.bad_request_view"
handler403 = "metadata_service.problems.permission_denied_view"
handler404 = "metadata_service.problems.not_found_view"
handler500 = "metadata_service.problems.server_error_view"
