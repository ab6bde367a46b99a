"""Django admin: metadata edits go through the same compare-and-swap as the API."""

import pytest
from django.contrib.auth.models import User

from metadatas.models import Metadata

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    User.objects.create_superuser("admin", "admin@example.com", "pw-for-tests")
    client.login(username="admin", password="pw-for-tests")
    return client


def change_form(metadata, expected_version, **changes):
    form = {
        "owner": metadata.owner,
        "owner_uuid": "",
        "title": '{"en": "Edited"}',
        "slug": metadata.slug,
        "type": metadata.type,
        "data": "{}",
        "expected_version": str(expected_version),
    }
    form.update(changes)
    return form


def test_admin_save_bumps_the_version(admin_client, make_metadata):
    metadata = make_metadata()

    response = admin_client.post(f"/admin/metadatas/metadata/{metadata.pk}/change/", change_form(metadata, 1))

    assert response.status_code == 302
    stored = Metadata.objects.get(pk=metadata.pk)
    assert (stored.title, stored.version) == ({"en": "Edited"}, 2)
    assert stored.title_search == "edited"


def test_admin_save_of_a_stale_form_is_refused(admin_client, make_metadata):
    metadata = make_metadata()
    Metadata.objects.filter(pk=metadata.pk).update(version=2, type="changed-meanwhile")

    response = admin_client.post(f"/admin/metadatas/metadata/{metadata.pk}/change/", change_form(metadata, 1))

    assert response.status_code == 200
    assert "Someone saved this resource" in response.content.decode()
    assert Metadata.objects.get(pk=metadata.pk).type == "changed-meanwhile"


def test_admin_adds_a_resource(admin_client, tenant):
    form = {"tenant": str(tenant.uuid), "uuid": "cf687347-6bba-4137-b180-9f581f5cba84", "owner": "BU",
            "owner_uuid": "", "title": '{"en": "Added"}', "slug": "added", "type": "t", "data": "[]"}  # fmt: skip

    response = admin_client.post("/admin/metadatas/metadata/add/", form)

    assert response.status_code == 302
    assert Metadata.objects.get(slug="added").title_search == "added"
