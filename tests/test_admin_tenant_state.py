"""Only superusers enable or disable tenants; a disabled tenant's staff have no admin access at all."""

import pytest
from django.test import Client

from tenants.models import Tenant
from tests.test_admin_scoping import PASSWORD, change_url, logged_in, staff_user, superuser  # noqa: F401

pytestmark = pytest.mark.django_db


def tenant_form(tenant, **changes):
    form = {"name": tenant.name, "enabled": "on" if tenant.enabled else ""}
    form.update(changes)
    return form


def disable(tenant):
    Tenant.objects.filter(pk=tenant.uuid).update(enabled=False)


def test_staff_cannot_disable_their_own_tenant(tenant):
    staff = logged_in(staff_user("staff-a", tenant))

    staff.post(change_url("tenants/tenant", tenant.uuid), tenant_form(tenant, enabled=""))

    assert Tenant.objects.get(pk=tenant.uuid).enabled


def test_staff_see_enabled_as_read_only(tenant):
    staff = logged_in(staff_user("staff-a", tenant))

    page = staff.get(change_url("tenants/tenant", tenant.uuid)).content.decode()

    assert 'name="enabled"' not in page
    assert 'name="name"' in page


def test_staff_of_a_disabled_tenant_cannot_re_enable_it(tenant):
    staff = logged_in(staff_user("staff-a", tenant))
    disable(tenant)

    response = staff.post(change_url("tenants/tenant", tenant.uuid), {"name": "Tenant A", "enabled": "on"})

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert not Tenant.objects.get(pk=tenant.uuid).enabled


@pytest.mark.parametrize("path", ["/admin/", "/admin/metadatas/metadata/", "/admin/tenants/tenant/"])
def test_staff_of_a_disabled_tenant_lose_access_from_the_next_request(tenant, path):
    staff = logged_in(staff_user("staff-a", tenant))
    assert staff.get(path).status_code == 200
    disable(tenant)

    response = staff.get(path)

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_staff_of_a_disabled_tenant_cannot_sign_in(tenant):
    staff_user("staff-a", tenant)
    disable(tenant)
    client = Client()

    client.post("/admin/login/?next=/admin/", {"username": "staff-a", "password": PASSWORD})

    assert client.get("/admin/").status_code == 302


def test_staff_of_an_enabled_tenant_keep_their_access(tenant, other_tenant):
    staff = logged_in(staff_user("staff-a", tenant))
    disable(other_tenant)

    assert staff.get("/admin/").status_code == 200


def test_a_superuser_disables_and_enables_a_tenant(superuser, tenant):  # noqa: F811
    superuser.post(change_url("tenants/tenant", tenant.uuid), tenant_form(tenant, enabled=""))
    assert not Tenant.objects.get(pk=tenant.uuid).enabled

    superuser.post(change_url("tenants/tenant", tenant.uuid), {"name": tenant.name, "enabled": "on"})
    assert Tenant.objects.get(pk=tenant.uuid).enabled
