"""Who may do what on /metadatas: the five permissions, roles, owner scopes and identity types."""

import uuid

import pytest

from metadatas.models import Metadata
from tenants.models import Role
from tests.conftest import JSON, client_with, metadata_body, token_for
from tests.support.prepared_statements import statement_text

pytestmark = pytest.mark.django_db

BU = "BusinessUnit"
BU_UUID = uuid.UUID("c11c546e-bd01-47cf-97da-e25388357b5a")
OTHER_UUID = uuid.UUID("9a3b9d6e-5f1c-4b7e-8c2d-1e0f3a4b5c6d")
OPERATIONS = ["browse", "read", "add", "edit (PUT)", "edit (PATCH)", "delete"]
PERMISSION_OF = {
    "browse": "metadata:browse",
    "read": "metadata:read",
    "add": "metadata:add",
    "edit (PUT)": "metadata:edit",
    "edit (PATCH)": "metadata:edit",
    "delete": "metadata:delete",
}
SUCCESS = {"browse": 200, "read": 200, "add": 201, "edit (PUT)": 200, "edit (PATCH)": 200, "delete": 204}


def caller(tenant, identity_type="Staff", **claims):
    return client_with(token_for(tenant.uuid, identity_type, **claims))


def attempt(client, operation, metadata):
    """Send the request of one operation, aimed at ``metadata`` where it needs a resource."""
    item = f"/metadatas/{metadata.uuid}"
    if operation == "browse":
        return client.get("/metadatas", **JSON)
    if operation == "read":
        return client.get(item, **JSON)
    if operation == "add":
        body = metadata_body(slug=f"new-{uuid.uuid4().hex[:8]}", owner=metadata.owner, ownerUuid=metadata.owner_uuid)
        return client.post("/metadatas", body, format="json", **JSON)
    if operation == "edit (PUT)":
        return client.put(item, {"type": "edited", "version": metadata.version}, format="json", **JSON)
    if operation == "edit (PATCH)":
        return client.patch(item, {"type": "edited", "version": metadata.version}, format="json", **JSON)
    return client.delete(item)


def assert_forbidden(response, permission):
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json; charset=utf-8"
    body = response.json()
    assert body["status"] == 403
    assert body["permission"] == permission
    assert permission in body["detail"]


@pytest.fixture
def resource(make_metadata):
    return make_metadata(owner=BU, owner_uuid=BU_UUID)


# --- Each permission alone allows exactly its endpoint --------------------------------------------------------------


@pytest.mark.parametrize("permission", sorted(set(PERMISSION_OF.values())))
@pytest.mark.parametrize("operation", OPERATIONS)
def test_each_permission_alone_allows_exactly_its_operation(tenant, resource, permission, operation):
    response = attempt(caller(tenant, permissions=[permission]), operation, resource)

    if PERMISSION_OF[operation] == permission:
        assert response.status_code == SUCCESS[operation]
    else:
        assert_forbidden(response, PERMISSION_OF[operation])


@pytest.mark.parametrize("operation", OPERATIONS)
def test_system_holds_every_permission_without_listing_any(tenant, resource, operation):
    assert attempt(caller(tenant, "System"), operation, resource).status_code == SUCCESS[operation]


@pytest.mark.parametrize("identity_type", ["Staff", "Individual", "Organization", "Anonymous", "AccountUser"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_other_identity_types_hold_nothing_by_their_type(tenant, resource, identity_type, operation):
    client = caller(tenant, identity_type, email="a@example.com", accounts=["A-1"])

    assert_forbidden(attempt(client, operation, resource), PERMISSION_OF[operation])


@pytest.mark.parametrize("identity_type", ["Staff", "Individual", "Organization", "Anonymous", "AccountUser"])
def test_other_identity_types_are_allowed_what_their_permissions_grant(tenant, resource, identity_type):
    response = attempt(caller(tenant, identity_type, permissions=["metadata:read"]), "read", resource)

    assert response.status_code == 200


@pytest.mark.parametrize("permission", ["CAN_MUTATE_METADATA", "CAN_VIEW_METADATA"])
def test_graphql_permissions_grant_no_rest_operation(tenant, resource, permission):
    client = caller(tenant, permissions=[permission])

    assert_forbidden(attempt(client, "read", resource), "metadata:read")


def test_a_refused_edit_changes_nothing(tenant, resource):
    attempt(caller(tenant, permissions=["metadata:read"]), "edit (PUT)", resource)

    stored = Metadata.objects.get(pk=resource.pk)
    assert (stored.type, stored.version) == ("authentication", 1)


def test_a_refused_delete_keeps_the_resource(tenant, resource):
    attempt(caller(tenant, permissions=["metadata:read"]), "delete", resource)

    assert Metadata.objects.filter(pk=resource.pk).exists()


def test_a_refused_add_stores_nothing(tenant, resource):
    attempt(caller(tenant, permissions=["metadata:browse"]), "add", resource)

    assert Metadata.objects.count() == 1


def test_unknown_permissions_in_a_token_grant_nothing_and_break_nothing(tenant, resource):
    client = caller(tenant, permissions=["account:read", "metadata:read@nonsense", "metadata:read"])

    assert attempt(client, "read", resource).status_code == 200
    assert_forbidden(attempt(client, "browse", resource), "metadata:browse")


# --- Another tenant's resource is a 404 whatever the permissions -----------------------------------------------------


@pytest.mark.parametrize("permissions", [[], ["metadata:read", "metadata:edit", "metadata:delete"]])
@pytest.mark.parametrize("operation", ["read", "edit (PUT)", "edit (PATCH)", "delete"])
def test_another_tenants_resource_is_a_404_never_a_403(tenant, other_tenant, make_metadata, permissions, operation):
    foreign = make_metadata(tenant=other_tenant, owner=BU, owner_uuid=BU_UUID)

    response = attempt(caller(tenant, permissions=permissions), operation, foreign)

    assert response.status_code == 404
    assert Metadata.objects.get(pk=foreign.pk).version == 1


# --- Roles ----------------------------------------------------------------------------------------------------------


def test_a_role_grants_its_permissions(tenant, resource):
    Role.objects.create(tenant=tenant, name="metadata-editor", permissions=["metadata:read", "metadata:edit"])
    client = caller(tenant, roles=["metadata-editor"])

    assert attempt(client, "read", resource).status_code == 200
    assert attempt(client, "edit (PUT)", resource).status_code == 200
    assert_forbidden(attempt(client, "delete", resource), "metadata:delete")


def test_permissions_are_the_union_of_the_claim_and_the_roles(tenant, resource):
    Role.objects.create(tenant=tenant, name="reader", permissions=["metadata:read"])
    client = caller(tenant, roles=["reader"], permissions=["metadata:browse"])

    assert attempt(client, "read", resource).status_code == 200
    assert attempt(client, "browse", resource).status_code == 200


def test_a_role_of_the_same_name_in_another_tenant_grants_nothing(tenant, other_tenant, resource):
    Role.objects.create(tenant=other_tenant, name="reader", permissions=["metadata:read"])

    assert_forbidden(attempt(caller(tenant, roles=["reader"]), "read", resource), "metadata:read")


def test_a_role_unknown_to_the_tenant_grants_nothing(tenant, resource):
    assert_forbidden(attempt(caller(tenant, roles=["nobody-defined-me"]), "read", resource), "metadata:read")


def test_a_role_change_applies_to_the_next_request(tenant, resource):
    role = Role.objects.create(tenant=tenant, name="reader", permissions=["metadata:read"])
    client = caller(tenant, roles=["reader"])
    assert attempt(client, "read", resource).status_code == 200

    role.permissions = []
    role.save()

    assert_forbidden(attempt(client, "read", resource), "metadata:read")


def test_a_role_may_carry_owner_scoped_permissions(tenant, resource, make_metadata):
    other = make_metadata(owner=BU, owner_uuid=OTHER_UUID)
    Role.objects.create(tenant=tenant, name="bu-reader", permissions=[f"metadata:read@{BU}:{BU_UUID}"])
    client = caller(tenant, roles=["bu-reader"])

    assert attempt(client, "read", resource).status_code == 200
    assert_forbidden(attempt(client, "read", other), "metadata:read")


# --- Owner-scoped permissions ----------------------------------------------------------------------------------------


@pytest.fixture
def other_owners_resource(make_metadata):
    return make_metadata(owner=BU, owner_uuid=OTHER_UUID)


@pytest.mark.parametrize("operation", ["read", "edit (PUT)", "edit (PATCH)", "delete"])
def test_an_owner_scoped_permission_allows_its_owners_resource(tenant, resource, operation):
    scoped = f"{PERMISSION_OF[operation]}@{BU}:{BU_UUID}"

    response = attempt(caller(tenant, permissions=[scoped]), operation, resource)

    assert response.status_code == SUCCESS[operation]


@pytest.mark.parametrize("operation", ["read", "edit (PUT)", "edit (PATCH)", "delete"])
def test_an_owner_scoped_permission_refuses_another_owners_resource(tenant, other_owners_resource, operation):
    scoped = f"{PERMISSION_OF[operation]}@{BU}:{BU_UUID}"

    response = attempt(caller(tenant, permissions=[scoped]), operation, other_owners_resource)

    assert_forbidden(response, PERMISSION_OF[operation])
    assert Metadata.objects.get(pk=other_owners_resource.pk).version == 1


def test_an_owner_scope_needs_the_owner_name_too(tenant, make_metadata):
    same_uuid_other_owner = make_metadata(owner="Organization", owner_uuid=BU_UUID)
    client = caller(tenant, permissions=[f"metadata:read@{BU}:{BU_UUID}"])

    assert_forbidden(attempt(client, "read", same_uuid_other_owner), "metadata:read")


def test_an_owner_scope_never_matches_a_resource_without_owner_uuid(tenant, make_metadata):
    no_owner_uuid = make_metadata(owner=BU, owner_uuid=None)
    client = caller(tenant, permissions=[f"metadata:read@{BU}:{BU_UUID}"])

    assert_forbidden(attempt(client, "read", no_owner_uuid), "metadata:read")


def test_an_owner_scope_matches_the_uuid_in_any_letter_case(tenant, resource):
    client = caller(tenant, permissions=[f"metadata:read@{BU}:{str(BU_UUID).upper()}"])

    assert attempt(client, "read", resource).status_code == 200


def test_an_owner_may_contain_colons(tenant, make_metadata):
    metadata = make_metadata(owner="urn:unit", owner_uuid=BU_UUID)

    response = attempt(caller(tenant, permissions=[f"metadata:read@urn:unit:{BU_UUID}"]), "read", metadata)

    assert response.status_code == 200


def test_owner_scoped_browse_lists_only_that_owners_resources(tenant, resource, other_owners_resource, make_metadata):
    make_metadata(owner="Organization", owner_uuid=BU_UUID)
    client = caller(tenant, permissions=[f"metadata:browse@{BU}:{BU_UUID}"])

    response = client.get("/metadatas", **JSON)

    assert response.status_code == 200
    assert [item["uuid"] for item in response.json()] == [str(resource.uuid)]
    assert response["X-Total-Count"] == "1"


def test_browse_scoped_to_two_owners_lists_both(tenant, resource, other_owners_resource, make_metadata):
    make_metadata(owner="Organization", owner_uuid=BU_UUID)
    scopes = [f"metadata:browse@{BU}:{BU_UUID}", f"metadata:browse@{BU}:{OTHER_UUID}"]

    response = caller(tenant, permissions=scopes).get("/metadatas", **JSON)

    assert {item["uuid"] for item in response.json()} == {str(resource.uuid), str(other_owners_resource.uuid)}


def test_owner_scoped_browse_cannot_be_widened_by_filters(tenant, resource, other_owners_resource):
    client = caller(tenant, permissions=[f"metadata:browse@{BU}:{BU_UUID}"])

    response = client.get(f"/metadatas?ownerUuid={OTHER_UUID}&uuid={other_owners_resource.uuid}", **JSON)

    assert response.json() == []


def test_owner_scoped_browse_is_filtered_in_the_query(tenant, resource, django_assert_num_queries):
    client = caller(tenant, permissions=[f"metadata:browse@{BU}:{BU_UUID}"])
    client.get("/metadatas", **JSON)  # the connection prepares the page's statement (metadatas/compiled_lookups.py)

    with django_assert_num_queries(2) as captured:  # tenant check, then the page with its capped count
        client.get("/metadatas", **JSON)

    page_query = captured.captured_queries[-1]["sql"]
    assert '"owner_uuid"' in statement_text(captured.connection, page_query)
    assert str(BU_UUID).replace("-", "") in page_query.replace("-", "")


def test_unscoped_browse_beside_a_scoped_one_lists_everything(tenant, resource, other_owners_resource):
    client = caller(tenant, permissions=["metadata:browse", f"metadata:browse@{BU}:{BU_UUID}"])

    assert client.get("/metadatas", **JSON)["X-Total-Count"] == "2"


def test_an_owner_scoped_add_stores_a_resource_of_that_owner(tenant):
    client = caller(tenant, permissions=[f"metadata:add@{BU}:{BU_UUID}"])

    response = client.post("/metadatas", metadata_body(owner=BU, ownerUuid=str(BU_UUID)), format="json", **JSON)

    assert response.status_code == 201


@pytest.mark.parametrize(
    "owner, owner_uuid", [(BU, str(OTHER_UUID)), ("Organization", str(BU_UUID)), (BU, None)], ids=str
)
def test_an_owner_scoped_add_naming_another_owner_is_a_403(tenant, owner, owner_uuid):
    client = caller(tenant, permissions=[f"metadata:add@{BU}:{BU_UUID}"])

    response = client.post("/metadatas", metadata_body(owner=owner, ownerUuid=owner_uuid), format="json", **JSON)

    assert_forbidden(response, "metadata:add")
    assert not Metadata.objects.exists()


def test_an_owner_scoped_add_still_validates_the_body_first(tenant):
    client = caller(tenant, permissions=[f"metadata:add@{BU}:{BU_UUID}"])

    response = client.post("/metadatas", {"owner": BU}, format="json", **JSON)

    assert response.status_code == 400


def test_an_owner_scoped_edit_cannot_move_a_resource_to_another_owner(tenant, resource):
    client = caller(tenant, permissions=[f"metadata:edit@{BU}:{BU_UUID}"])

    response = client.put(f"/metadatas/{resource.uuid}", {"ownerUuid": str(OTHER_UUID), "version": 1}, format="json")

    assert_forbidden(response, "metadata:edit")
    assert Metadata.objects.get(pk=resource.pk).owner_uuid == BU_UUID


def test_an_edit_scoped_to_both_owners_may_move_a_resource_between_them(tenant, resource):
    scopes = [f"metadata:edit@{BU}:{BU_UUID}", f"metadata:edit@{BU}:{OTHER_UUID}"]
    client = caller(tenant, permissions=scopes)

    response = client.put(f"/metadatas/{resource.uuid}", {"ownerUuid": str(OTHER_UUID), "version": 1}, format="json")

    assert response.status_code == 200


# --- Cost: roles are looked up only when the token names some, once per request --------------------------------------


def test_an_item_read_without_roles_costs_no_extra_query(tenant, resource, django_assert_num_queries):
    client = caller(tenant, permissions=["metadata:read"])

    with django_assert_num_queries(2):  # tenant check, the resource
        assert attempt(client, "read", resource).status_code == 200


def test_an_item_read_with_roles_costs_one_role_query(tenant, resource, django_assert_num_queries):
    Role.objects.create(tenant=tenant, name="reader", permissions=["metadata:read"])
    client = caller(tenant, roles=["reader", "another"])

    with django_assert_num_queries(3):  # tenant check, the resource, the roles
        assert attempt(client, "read", resource).status_code == 200


def test_an_owner_moving_edit_looks_the_roles_up_once(tenant, resource, django_assert_max_num_queries):
    Role.objects.create(tenant=tenant, name="editor", permissions=["metadata:edit"])
    client = caller(tenant, roles=["editor"])

    # The edit checks the old and the new owner; the write adds its revision and its change event (2 queries).
    with django_assert_max_num_queries(12) as captured:
        response = client.put(f"/metadatas/{resource.uuid}", {"owner": "Elsewhere", "version": 1}, format="json")

    assert response.status_code == 200
    assert sum('FROM "tenants_role"' in query["sql"] for query in captured.captured_queries) == 1


# --- OPTIONS describes only what the caller may do -------------------------------------------------------------------


@pytest.mark.parametrize("permissions, advertised", [([], False), (["metadata:add"], True)])
def test_options_on_the_list_advertises_post_only_with_add(tenant, permissions, advertised):
    response = caller(tenant, permissions=permissions).options("/metadatas", **JSON)

    assert response.status_code == 200
    assert ("POST" in response.json().get("actions", {})) is advertised


@pytest.mark.parametrize("permissions, advertised", [(["metadata:read"], False), (["metadata:edit"], True)])
def test_options_on_an_item_advertises_put_only_with_edit(tenant, resource, permissions, advertised):
    response = caller(tenant, permissions=permissions).options(f"/metadatas/{resource.uuid}", **JSON)

    assert response.status_code == 200
    assert ("PUT" in response.json().get("actions", {})) is advertised


def test_a_role_row_whose_permissions_are_not_a_list_grants_nothing_and_breaks_nothing(tenant, resource):
    Role.objects.create(tenant=tenant, name="broken", permissions={"metadata:read": True})
    Role.objects.create(tenant=tenant, name="odd", permissions=[42, "metadata:read"])

    assert_forbidden(attempt(caller(tenant, roles=["broken"]), "read", resource), "metadata:read")
    assert attempt(caller(tenant, roles=["odd"]), "read", resource).status_code == 200
