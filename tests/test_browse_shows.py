"""What metadata:browse shows: whole resources in lists (as the platform's BROWSE lists whole entries).

metadata:read is the item route's permission; a token with browse alone reads every resource in full
through the list, also one at a time with ?uuid=. The README says so.
"""

import pytest

from tests.conftest import JSON, client_with, token_for

OWNER_UUID = "c11c546e-bd01-47cf-97da-e25388357b5a"
OTHER_OWNER_UUID = "5d2b0a4e-0f57-4c8f-a1d6-7a4b0e2f9c33"


def staff(tenant, *permissions):
    return client_with(token_for(tenant.uuid, "Staff", permissions=list(permissions)))


@pytest.fixture
def resource(make_metadata):
    return make_metadata(owner="BusinessUnit", owner_uuid=OWNER_UUID, data={"secret": "shown to browse"})


def test_browse_lists_the_whole_resource_with_its_data(tenant, resource):
    listed = staff(tenant, "metadata:browse").get("/metadatas", {"uuid": str(resource.uuid)}, **JSON)

    assert listed.status_code == 200
    assert listed.json()[0]["data"] == {"secret": "shown to browse"}
    assert set(listed.json()[0]) >= {"id", "uuid", "owner", "ownerUuid", "title", "slug", "type", "data", "version"}


def test_browse_alone_does_not_open_the_item_route(tenant, resource):
    response = staff(tenant, "metadata:browse").get(f"/metadatas/{resource.uuid}", **JSON)

    assert (response.status_code, response.json()["permission"]) == (403, "metadata:read")


def test_read_alone_opens_the_item_route_but_not_the_list(tenant, resource):
    client = staff(tenant, "metadata:read")

    assert client.get(f"/metadatas/{resource.uuid}", **JSON).status_code == 200
    assert client.get("/metadatas", **JSON).json()["permission"] == "metadata:browse"


def test_owner_scoped_browse_shows_whole_resources_of_that_owner_only(tenant, resource, make_metadata):
    other = make_metadata(owner="BusinessUnit", owner_uuid=OTHER_OWNER_UUID, data={"secret": "not yours"})
    client = staff(tenant, f"metadata:browse@BusinessUnit:{OWNER_UUID}")

    mine = client.get("/metadatas", {"uuid": str(resource.uuid)}, **JSON).json()
    theirs = client.get("/metadatas", {"uuid": str(other.uuid)}, **JSON)

    assert mine[0]["data"] == {"secret": "shown to browse"}
    assert (theirs.status_code, theirs.json(), theirs["X-Total-Count"]) == (200, [], "0")


def test_browse_never_lists_another_tenants_resource(tenant, other_tenant, make_metadata):
    foreign = make_metadata(tenant=other_tenant)

    listed = staff(tenant, "metadata:browse").get("/metadatas", {"uuid": str(foreign.uuid)}, **JSON)

    assert listed.json() == []
