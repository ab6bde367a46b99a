from django.urls import re_path

from tenants.tenant_view import TenantView
from tenants.token_views import MemberTokenObtainView, MemberTokenRefreshView

urlpatterns = [
    re_path(r"^tokens/?$", MemberTokenObtainView.as_view(), name="token-obtain"),
    re_path(r"^tokens/refresh/?$", MemberTokenRefreshView.as_view(), name="token-refresh"),
    re_path(r"^tenant/?$", TenantView.as_view(), name="tenant"),
]
