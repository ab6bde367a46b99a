"""Django admin: metadata types, the tenant's require_defined_types, and resources checked against their type."""

import json

import pytest
from django.contrib.auth.models import User

from metadata_types.models import MetadataType, TypePolicy
from metadatas.models import Metadata

pytestmark = pytest.mark.django_db

SCHEMA = {"type": "object", "required": ["providers"]}


@pytest.fixture
def admin_client(client):
    User.objects.create_superuser("admin", "admin@example.com", "pw-for-tests")
    client.login(username="admin", password="pw-for-tests")
    return client


def type_form(tenant, **changes):
    form = {"tenant": str(tenant.uuid), "name": "authentication", "title": "{}", "schema": json.dumps(SCHEMA)}
    return {**form, **changes}


def test_the_admin_defines_a_type(admin_client, tenant):
    response = admin_client.post("/admin/metadata_types/metadatatype/add/", type_form(tenant))
    assert response.status_code == 302
    assert MetadataType.objects.get().schema == SCHEMA


def test_the_admin_refuses_a_schema_that_is_not_one(admin_client, tenant):
    response = admin_client.post("/admin/metadata_types/metadatatype/add/", type_form(tenant, schema='{"type": 7}'))
    assert response.status_code == 200 and "is not valid" in response.content.decode()
    assert not MetadataType.objects.exists()


def test_the_admin_refuses_an_incompatible_schema_unless_forced(admin_client, tenant, make_metadata):
    make_metadata(type="authentication", data=[])
    page = admin_client.post("/admin/metadata_types/metadatatype/add/", type_form(tenant), follow=True)
    assert "fail the new schema" in page.content.decode() and not MetadataType.objects.exists()
    forced = admin_client.post("/admin/metadata_types/metadatatype/add/", type_form(tenant, force="on"))
    assert forced.status_code == 302 and MetadataType.objects.exists()


def test_the_admin_does_not_delete_a_type_in_use(admin_client, tenant, make_metadata):
    metadata_type = MetadataType.objects.create(tenant=tenant, name="authentication", schema={})
    make_metadata(type="authentication")
    page = admin_client.post(
        f"/admin/metadata_types/metadatatype/{metadata_type.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert "still have this type" in page.content.decode() and MetadataType.objects.exists()


def test_a_resource_saved_in_the_admin_is_checked_against_its_type(admin_client, tenant):
    MetadataType.objects.create(tenant=tenant, name="authentication", schema=SCHEMA)
    form = {
        "tenant": str(tenant.uuid),
        "uuid": "cf687347-6bba-4137-b180-9f581f5cba84",
        "owner": "BU",
        "owner_uuid": "",
        "title": '{"en": "Added"}',
        "slug": "added",
        "type": "authentication",
        "data": "{}",
    }
    refused = admin_client.post("/admin/metadatas/metadata/add/", form)
    assert refused.status_code == 200 and "&#x27;providers&#x27; is a required property" in refused.content.decode()
    assert not Metadata.objects.exists()
    accepted = admin_client.post("/admin/metadatas/metadata/add/", {**form, "data": '{"providers": []}'})
    assert accepted.status_code == 302


def test_require_defined_types_is_set_in_the_admin(admin_client, tenant):
    form = {"tenant": str(tenant.pk), "require_defined_types": "on"}
    response = admin_client.post("/admin/metadata_types/typepolicy/add/", form)
    assert response.status_code == 302
    assert TypePolicy.objects.get(tenant=tenant).require_defined_types


def test_a_staff_user_sees_only_the_type_policy_of_its_tenant(client, tenant, other_tenant):
    from django.contrib.auth.models import Permission

    from tenants.models import TenantMember

    staff = User.objects.create_user("staff", password="pw-for-tests", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename__endswith="typepolicy"))
    TenantMember.objects.create(user=staff, tenant=tenant)
    TypePolicy.objects.create(tenant=tenant)
    foreign = TypePolicy.objects.create(tenant=other_tenant, require_defined_types=True)
    client.login(username="staff", password="pw-for-tests")
    assert client.get(f"/admin/metadata_types/typepolicy/{foreign.pk}/change/").status_code == 302
    listing = client.get("/admin/metadata_types/typepolicy/").content.decode()
    assert "Tenant A" in listing and "Tenant B" not in listing


def test_a_schema_that_changed_after_the_form_was_checked_is_a_message_not_an_error(admin_client, tenant, monkeypatch):
    from metadatas.admin import MetadataAdminForm

    MetadataType.objects.create(tenant=tenant, name="authentication", schema=SCHEMA)
    monkeypatch.setattr(MetadataAdminForm, "check_data_rules", lambda self, cleaned: None)  # the race's window
    form = {
        "tenant": str(tenant.uuid),
        "uuid": "cf687347-6bba-4137-b180-9f581f5cba84",
        "owner": "BU",
        "owner_uuid": "",
        "title": '{"en": "Added"}',
        "slug": "added",
        "type": "authentication",
        "data": "{}",
    }
    page = admin_client.post("/admin/metadatas/metadata/add/", form, follow=True)
    assert page.status_code == 200 and "Not saved: data:" in page.content.decode()
    assert not Metadata.objects.exists()
