"""Django admin: a staff user tied to a tenant sees and edits only that tenant's rows; superusers see all."""

import uuid

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from linked_metadata.models import LinkedMetadata
from linked_metadata.services import linked_metadata_upsert
from metadatas.models import Metadata
from tenants.models import Role, Tenant, TenantMember
from tests.support.history import TEST_ACTOR

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"
ABSENT_PK = 987654321


def logged_in(user):
    client = Client()
    client.login(username=user.username, password=PASSWORD)
    return client


def staff_user(username, tenant=None):
    user = User.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["tenants", "metadatas", "linked_metadata"])
    )
    if tenant is not None:
        TenantMember.objects.create(user=user, tenant=tenant)
    return user


@pytest.fixture
def staff_a(tenant):
    """A staff user of tenant A, holding every model permission of the tenants and metadatas apps."""
    return logged_in(staff_user("staff-a", tenant))


@pytest.fixture
def superuser(db):
    return logged_in(User.objects.create_superuser("root", "root@example.com", PASSWORD))


@pytest.fixture
def rows(tenant, other_tenant, make_metadata):
    """One resource and one role in each tenant."""
    return {
        "own": make_metadata(slug="own-resource"),
        "foreign": make_metadata(tenant=other_tenant, slug="foreign-resource"),
        "own_role": Role.objects.create(tenant=tenant, name="own-role", permissions=["metadata:read"]),
        "foreign_role": Role.objects.create(tenant=other_tenant, name="foreign-role", permissions=[]),
    }


def change_url(model_path, pk):
    return f"/admin/{model_path}/{pk}/change/"


def metadata_form(tenant, slug, **changes):
    form = {
        "tenant": str(tenant.uuid),
        "uuid": str(uuid.uuid4()),
        "owner": "BU",
        "owner_uuid": "",
        "title": '{"en": "T"}',
        "slug": slug,
        "type": "t",
        "data": "{}",
    }
    form.update(changes)
    return form


# --- Metadata resources ----------------------------------------------------------------------------------------------


def test_staff_list_only_their_tenants_resources(staff_a, rows):
    page = staff_a.get("/admin/metadatas/metadata/").content.decode()

    assert "own-resource" in page
    assert "foreign-resource" not in page


def test_staff_never_see_another_tenants_name_in_the_filters(staff_a, rows):
    page = staff_a.get("/admin/metadatas/metadata/").content.decode()

    assert "Tenant B" not in page


def test_another_tenants_resource_answers_as_an_absent_one(staff_a, rows):
    foreign = staff_a.get(change_url("metadatas/metadata", rows["foreign"].pk))
    absent = staff_a.get(change_url("metadatas/metadata", ABSENT_PK))

    assert (foreign.status_code, foreign["Location"]) == (absent.status_code, absent["Location"]) == (302, "/admin/")


def test_staff_cannot_change_another_tenants_resource(staff_a, rows, other_tenant):
    foreign = rows["foreign"]
    form = metadata_form(other_tenant, foreign.slug, type="hacked", expected_version="1")

    staff_a.post(change_url("metadatas/metadata", foreign.pk), form)

    assert Metadata.objects.get(pk=foreign.pk).type == "authentication"


def test_staff_cannot_delete_another_tenants_resource(staff_a, rows):
    foreign = rows["foreign"]

    staff_a.post(f"/admin/metadatas/metadata/{foreign.pk}/delete/", {"post": "yes"})
    staff_a.post(
        "/admin/metadatas/metadata/",
        {"action": "delete_selected", "_selected_action": [foreign.pk], "post": "yes"},
    )

    assert Metadata.objects.filter(pk=foreign.pk).exists()


def test_staff_edit_their_tenants_resource(staff_a, rows, tenant):
    own = rows["own"]
    form = metadata_form(tenant, own.slug, type="edited", expected_version="1")

    response = staff_a.post(change_url("metadatas/metadata", own.pk), form)

    assert response.status_code == 302
    assert Metadata.objects.get(pk=own.pk).type == "edited"


def test_staff_add_resources_to_their_tenant(staff_a, tenant):
    response = staff_a.post("/admin/metadatas/metadata/add/", metadata_form(tenant, "added"))

    assert response.status_code == 302
    assert Metadata.objects.get(slug="added").tenant_id == tenant.uuid


def test_staff_cannot_add_a_resource_to_another_tenant(staff_a, tenant, other_tenant):
    response = staff_a.post("/admin/metadatas/metadata/add/", metadata_form(other_tenant, "smuggled"))

    assert response.status_code == 200  # the form again, with an error on tenant
    assert "Select a valid choice" in response.content.decode()
    assert not Metadata.objects.filter(slug="smuggled").exists()


def test_the_add_form_offers_only_the_staff_users_tenant(staff_a, tenant, other_tenant):
    page = staff_a.get("/admin/metadatas/metadata/add/").content.decode()

    assert str(tenant.uuid) in page
    assert str(other_tenant.uuid) not in page


def test_a_staff_user_of_no_tenant_sees_no_row(rows):
    page = logged_in(staff_user("drifter")).get("/admin/metadatas/metadata/").content.decode()

    assert "own-resource" not in page
    assert "foreign-resource" not in page


def test_a_superuser_sees_every_tenants_rows(superuser, rows):
    page = superuser.get("/admin/metadatas/metadata/").content.decode()

    assert "own-resource" in page
    assert "foreign-resource" in page


# --- Tenants ---------------------------------------------------------------------------------------------------------


def test_staff_see_only_their_own_tenant(staff_a, tenant, other_tenant):
    page = staff_a.get("/admin/tenants/tenant/").content.decode()

    assert "Tenant A" in page
    assert "Tenant B" not in page


def test_another_tenant_answers_as_an_absent_one(staff_a, other_tenant):
    response = staff_a.get(change_url("tenants/tenant", other_tenant.uuid))

    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_staff_cannot_disable_another_tenant(staff_a, other_tenant):
    staff_a.post(change_url("tenants/tenant", other_tenant.uuid), {"name": "Tenant B", "enabled": ""})

    assert Tenant.objects.get(pk=other_tenant.uuid).enabled


def test_staff_cannot_register_tenants(staff_a):
    assert staff_a.get("/admin/tenants/tenant/add/").status_code == 403


def test_staff_cannot_delete_their_tenant(staff_a, tenant):
    assert staff_a.get(f"/admin/tenants/tenant/{tenant.uuid}/delete/").status_code == 403


def test_a_superuser_registers_tenants(superuser):
    response = superuser.post(
        "/admin/tenants/tenant/add/", {"uuid": "5d4f2c1e-3b6a-4e8f-9a0b-1c2d3e4f5a6b", "name": "New", "enabled": "on"}
    )

    assert response.status_code == 302
    assert Tenant.objects.filter(name="New").exists()


# --- Roles -----------------------------------------------------------------------------------------------------------


def role_form(tenant, name, permissions):
    return {"tenant": str(tenant.uuid), "name": name, "permissions": "\n".join(permissions)}


def test_staff_list_only_their_tenants_roles(staff_a, rows):
    page = staff_a.get("/admin/tenants/role/").content.decode()

    assert "own-role" in page
    assert "foreign-role" not in page


def test_another_tenants_role_answers_as_an_absent_one(staff_a, rows):
    response = staff_a.get(change_url("tenants/role", rows["foreign_role"].pk))

    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_staff_cannot_add_a_role_to_another_tenant(staff_a, other_tenant):
    staff_a.post("/admin/tenants/role/add/", role_form(other_tenant, "smuggled", ["metadata:delete"]))

    assert not Role.objects.filter(name="smuggled").exists()


def test_a_role_is_edited_one_permission_per_line(staff_a, tenant):
    scoped = "metadata:edit@BusinessUnit:c11c546e-bd01-47cf-97da-e25388357b5a"

    response = staff_a.post("/admin/tenants/role/add/", role_form(tenant, "editor", ["metadata:read", "", scoped]))

    assert response.status_code == 302
    assert Role.objects.get(name="editor").permissions == ["metadata:read", scoped]


def test_a_role_with_an_unknown_permission_is_refused_naming_it(staff_a, tenant):
    response = staff_a.post("/admin/tenants/role/add/", role_form(tenant, "typo", ["metadata:brows"]))

    assert response.status_code == 200
    assert "metadata:brows" in response.content.decode()
    assert not Role.objects.filter(name="typo").exists()


def test_a_role_name_is_unique_in_its_tenant_also_when_renaming(staff_a, rows, tenant):
    other = Role.objects.create(tenant=tenant, name="second", permissions=[])

    response = staff_a.post(change_url("tenants/role", other.pk), {"name": "own-role", "permissions": ""})

    assert response.status_code == 200
    assert "already has a role of this name" in response.content.decode()
    assert Role.objects.get(pk=other.pk).name == "second"


def test_the_same_role_name_may_exist_in_two_tenants(superuser, rows, tenant):
    response = superuser.post("/admin/tenants/role/add/", role_form(tenant, "foreign-role", []))

    assert response.status_code == 302


# --- Tenant members --------------------------------------------------------------------------------------------------


def member_form(user, tenant, role):
    return {
        "user": user.pk,
        "tenant": str(tenant.uuid),
        "identity_type": "Staff",
        "identity_uuid": "703fb098-40df-486d-8e08-65d892b4c288",
        "roles": [role.pk],
        "accounts": "[]",
    }


def test_staff_cannot_see_or_change_memberships(staff_a):
    assert staff_a.get("/admin/tenants/tenantmember/").status_code == 403


def test_a_superuser_ties_a_user_to_a_tenant_with_its_roles(superuser, rows, tenant):
    user = User.objects.create_user("newcomer", "n@example.com", PASSWORD)
    form = member_form(user, tenant, rows["own_role"])

    response = superuser.post("/admin/tenants/tenantmember/add/", form)

    assert response.status_code == 302
    assert list(TenantMember.objects.get(user=user).roles.all()) == [rows["own_role"]]


def test_a_member_cannot_hold_another_tenants_role(superuser, rows, tenant):
    user = User.objects.create_user("newcomer", "n@example.com", PASSWORD)
    form = member_form(user, tenant, rows["foreign_role"])

    response = superuser.post("/admin/tenants/tenantmember/add/", form)

    assert response.status_code == 200
    assert "roles of the member" in response.content.decode()
    assert not TenantMember.objects.filter(user=user).exists()


# --- Linked (account) metadata ---------------------------------------------------------------------------------------


@pytest.fixture
def linked_rows(tenant, other_tenant):
    def store(tenant, identifier):
        return linked_metadata_upsert(
            tenant_id=tenant.uuid,
            linked_object_type="ACCOUNT",
            identifier=identifier,
            key="pets",
            value={},
            actor=TEST_ACTOR,
        )

    return {"own": store(tenant, "A-OWN-1"), "foreign": store(other_tenant, "A-FOREIGN-1")}


def test_staff_list_only_their_tenants_linked_metadata(staff_a, linked_rows):
    page = staff_a.get("/admin/linked_metadata/linkedmetadata/").content.decode()

    assert "A-OWN-1" in page
    assert "A-FOREIGN-1" not in page
    assert "Tenant B" not in page


def test_another_tenants_linked_metadata_answers_as_absent_and_stays(staff_a, linked_rows):
    foreign = linked_rows["foreign"]

    response = staff_a.post(change_url("linked_metadata/linkedmetadata", foreign.pk), {"value": '{"hacked": true}'})

    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert LinkedMetadata.objects.get(pk=foreign.pk).value == {}


def test_staff_cannot_add_linked_metadata_to_another_tenant(staff_a, other_tenant):
    form = {
        "tenant": str(other_tenant.uuid),
        "linked_object_type": "ACCOUNT",
        "identifier": "A-9",
        "key": "k",
        "value": "{}",
    }

    staff_a.post("/admin/linked_metadata/linkedmetadata/add/", form)

    assert not LinkedMetadata.objects.filter(identifier="A-9").exists()
