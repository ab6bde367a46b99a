"""A property of the whole API: random request sequences from two tenants and several identities.

Whatever the sequence, no response carries another tenant's data, and no operation succeeds (or
changes a row) without its permission. The expected permissions are written out by hand below,
independently of ``tenants.permissions``, so the property checks the policy rather than restating it.
"""

import uuid
from itertools import count

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from metadatas.models import Metadata
from tenants.models import Role
from tests.conftest import JSON, client_with, token_for

pytestmark = pytest.mark.django_db

U1 = uuid.UUID("c11c546e-bd01-47cf-97da-e25388357b5a")
U2 = uuid.UUID("9a3b9d6e-5f1c-4b7e-8c2d-1e0f3a4b5c6d")
OWNERS = [("BusinessUnit", U1), ("BusinessUnit", U2), ("Organization", None)]
OPERATIONS = ["browse", "read", "add", "edit", "delete"]
EVERY_OWNER = "every owner"
ABSENT = "absent"

IDENTITIES = {
    "system": {"identity_type": "System"},
    "reader": {"identity_type": "Staff", "permissions": ["metadata:browse", "metadata:read"]},
    "scoped-to-U1": {
        "identity_type": "Staff",
        "permissions": [f"metadata:{op}@BusinessUnit:{U1}" for op in OPERATIONS],
    },
    "role-editor": {"identity_type": "Staff", "roles": ["editor"]},
    "nobody": {"identity_type": "Anonymous"},
    "account-user": {
        "identity_type": "AccountUser",
        "permissions": ["CAN_MUTATE_METADATA", "CAN_VIEW_METADATA"],
        "accounts": ["A-1"],
        "email": "user@example.com",
    },
}
# The same role name means different permissions in each tenant.
EDITOR_ROLE = {"A": ["metadata:read", "metadata:edit"], "B": [f"metadata:{op}" for op in OPERATIONS]}


def expected_grant(tenant_label, identity, operation):
    """The oracle: EVERY_OWNER, a set of (owner, ownerUuid), or an empty set."""
    if identity == "system":
        return EVERY_OWNER
    if identity == "reader":
        return EVERY_OWNER if operation in ("browse", "read") else set()
    if identity == "scoped-to-U1":
        return {("BusinessUnit", U1)}
    if identity == "role-editor":
        return EVERY_OWNER if f"metadata:{operation}" in EDITOR_ROLE[tenant_label] else set()
    return set()


def grants(tenant_label, identity, operation, owner):
    grant = expected_grant(tenant_label, identity, operation)
    return grant == EVERY_OWNER or owner in grant


class World:
    """Two tenants' resources, the callers' clients, and the checks made after every request."""

    def __init__(self, tenants, clients):
        self.tenants = tenants  # label -> Tenant
        self.clients = clients  # (label, identity) -> APIClient
        self.numbers = count()
        for label, tenant in tenants.items():
            for owner, owner_uuid in OWNERS:
                self.store(tenant, label, owner, owner_uuid)

    def store(self, tenant, label, owner, owner_uuid):
        number = next(self.numbers)
        Metadata.objects.create(
            tenant=tenant,
            owner=owner,
            owner_uuid=owner_uuid,
            slug=f"{label}-seed-{number}",
            type="t",
            title={"en": f"marker-{label} {number}"},
            data={"marker": f"marker-{label}"},
        )

    def label_of(self, tenant_id):
        return next(label for label, tenant in self.tenants.items() if tenant.uuid == tenant_id)

    def rows(self):
        """The live resources (a deleted one is kept, marked deleted, but no route but ?deleted=true sees it)."""
        return {str(m.uuid): m for m in Metadata.objects.filter(deleted_at=None).order_by("id")}

    def run(self, caller_label, identity, operation, target_index, owner_index):
        before = self.rows()
        client = self.clients[caller_label, identity]
        targets = [*before.values(), ABSENT]
        target = targets[target_index % len(targets)]
        response = self.send(client, operation, target, OWNERS[owner_index], caller_label)
        self.check_no_foreign_data(response, caller_label, before)
        self.check_outcome(caller_label, identity, operation, target, OWNERS[owner_index], response, before)

    def send(self, client, operation, target, owner, caller_label):
        path = f"/metadatas/{target.uuid if target != ABSENT else uuid.uuid4()}"
        if operation == "browse":
            return client.get("/metadatas?limit=100", **JSON)
        if operation == "add":
            body = {
                "owner": owner[0],
                "ownerUuid": owner[1] and str(owner[1]),
                "title": {"en": "added"},
                "slug": f"{caller_label}-added-{next(self.numbers)}",
                "type": "t",
                "data": {},
            }
            return client.post("/metadatas", body, format="json", **JSON)
        if operation == "read":
            return client.get(path, **JSON)
        if operation == "edit":
            version = target.version if target != ABSENT else 1
            return client.patch(path, {"type": f"edited-{next(self.numbers)}", "version": version}, format="json")
        return client.delete(path)

    def check_no_foreign_data(self, response, caller_label, before):
        body = response.content.decode()
        for label, tenant in self.tenants.items():
            if label == caller_label:
                continue
            assert str(tenant.uuid) not in body
            assert f"marker-{label}" not in body
            foreign = [key for key, row in before.items() if row.tenant_id == tenant.uuid]
            assert not any(key in body for key in foreign)

    def check_outcome(self, caller_label, identity, operation, target, owner, response, before):
        after = self.rows()
        if operation == "browse":
            return self.check_browse(caller_label, identity, response, before)
        if operation == "add":
            allowed = grants(caller_label, identity, "add", owner)
            assert response.status_code == (201 if allowed else 403), response.content
            added = [row for key, row in after.items() if key not in before]
            assert [(self.label_of(row.tenant_id), row.owner) for row in added] == (
                [(caller_label, owner[0])] if allowed else []
            )
            return
        if target == ABSENT or self.label_of(target.tenant_id) != caller_label:
            assert response.status_code == 404, response.content
            assert after == before and self.versions(after) == self.versions(before)
            return
        allowed = grants(caller_label, identity, operation, (target.owner, target.owner_uuid))
        success = {"read": 200, "edit": 200, "delete": 204}[operation]
        assert response.status_code == (success if allowed else 403), response.content
        if not allowed or operation == "read":
            assert self.versions(after) == self.versions(before)
        elif operation == "edit":
            assert self.versions(after) == {**self.versions(before), str(target.uuid): target.version + 1}
        else:
            assert set(after) == set(before) - {str(target.uuid)}

    def check_browse(self, caller_label, identity, response, before):
        grant = expected_grant(caller_label, identity, "browse")
        if grant != EVERY_OWNER and not grant:
            assert response.status_code == 403
            return
        assert response.status_code == 200
        own = [row for row in before.values() if self.label_of(row.tenant_id) == caller_label]
        expected = {str(row.uuid) for row in own if grant == EVERY_OWNER or (row.owner, row.owner_uuid) in grant}
        assert {item["uuid"] for item in response.json()} == expected

    @staticmethod
    def versions(rows):
        return {key: row.version for key, row in rows.items()}


@pytest.fixture
def callers(tenant, other_tenant):
    tenants = {"A": tenant, "B": other_tenant}
    for label, permissions in EDITOR_ROLE.items():
        Role.objects.create(tenant=tenants[label], name="editor", permissions=permissions)
    clients = {
        (label, name): client_with(token_for(tenants[label].uuid, **claims))
        for label in tenants
        for name, claims in IDENTITIES.items()
    }
    return tenants, clients


STEPS = st.lists(
    st.tuples(
        st.sampled_from(["A", "B"]),
        st.sampled_from(list(IDENTITIES)),
        st.sampled_from(OPERATIONS),
        st.integers(min_value=0, max_value=50),
        st.integers(min_value=0, max_value=len(OWNERS) - 1),
    ),
    min_size=4,
    max_size=12,
)


@pytest.mark.slow
@settings(
    max_examples=40,
    deadline=None,  # a request to the database has no fixed duration; the example count bounds the run
    database=None,  # keep no example files in the working tree
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure prints its (at most 12-step) sequence at once
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # the fixtures are only read; rows roll back
)
@given(steps=STEPS)
def test_no_response_leaks_another_tenant_and_no_operation_succeeds_without_permission(callers, steps):
    with transaction.atomic():
        world = World(*callers)
        for step in steps:
            world.run(*step)
        transaction.set_rollback(True)
