"""A tenant's own quotas are set in the admin, by superusers only (contract automation.md)."""

import pytest

from tenants.models import Tenant
from tests.conftest import JSON
from tests.test_admin_scoping import change_url, logged_in, staff_user, superuser  # noqa: F401

pytestmark = pytest.mark.django_db


def tenant_form(tenant, **changes):
    return {"name": tenant.name, "enabled": "on", **changes}


def test_a_superuser_sets_a_tenants_quota_and_get_tenant_shows_it(superuser, tenant, api):  # noqa: F811
    response = superuser.post(change_url("tenants/tenant", tenant.uuid), tenant_form(tenant, max_resources="3"))

    assert response.status_code == 302
    assert Tenant.objects.get(pk=tenant.uuid).max_resources == 3
    assert api.get("/tenant", **JSON).json()["quotas"]["max_resources"]["limit"] == 3


def test_an_empty_quota_falls_back_to_the_setting(superuser, tenant, api):  # noqa: F811
    Tenant.objects.filter(pk=tenant.uuid).update(max_resources=3)
    superuser.post(change_url("tenants/tenant", tenant.uuid), tenant_form(tenant, max_resources=""))

    assert Tenant.objects.get(pk=tenant.uuid).max_resources is None
    assert api.get("/tenant", **JSON).json()["quotas"]["max_resources"]["limit"] == 100_000


def test_a_tenants_staff_see_its_quotas_read_only_and_cannot_raise_them(tenant):
    Tenant.objects.filter(pk=tenant.uuid).update(max_resources=3)
    staff = logged_in(staff_user("staff-a", tenant))

    page = staff.get(change_url("tenants/tenant", tenant.uuid)).content.decode()
    staff.post(change_url("tenants/tenant", tenant.uuid), tenant_form(tenant, max_resources="1000000"))

    assert 'name="max_resources"' not in page
    assert Tenant.objects.get(pk=tenant.uuid).max_resources == 3
