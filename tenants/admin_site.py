"""The Django admin site of the service: sign-in attempts limited per address, staff of a disabled tenant kept out."""

from django.contrib import admin
from django.http import HttpResponse

from tenants.permissions import may_use_admin
from tenants.throttling import LoginRateThrottle


class MetadataAdminSite(admin.AdminSite):
    """Django's admin site with two rules of this service added.

    Password attempts at ``/admin/login/`` count in the same per-address budget as ``POST /tokens``
    (``THROTTLE_RATE_LOGIN``); the one past it is a 429 that never reaches the password check. And a
    staff user whose tenant is disabled has no admin access, from the next request on.
    """

    def has_permission(self, request):
        return super().has_permission(request) and may_use_admin(request.user)

    def login(self, request, extra_context=None):
        if request.method == "POST":
            limit = LoginRateThrottle()
            if not limit.allow_request(request, view=None):
                return too_many_attempts(limit.wait())
        return super().login(request, extra_context)


def too_many_attempts(wait_seconds):
    seconds = int(wait_seconds + 0.999)
    response = HttpResponse(
        f"Too many sign-in attempts from your address; try again in {seconds} seconds.\n",
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(seconds)
    return response
