"""Django admin: linked metadata is listed, edited and deleted through the same services as GraphQL."""

import pytest
from django.contrib.auth.models import User

from linked_metadata.models import LinkedMetadata
from linked_metadata.services import linked_metadata_upsert
from tests.support.history import TEST_ACTOR

pytestmark = pytest.mark.django_db
PAGES = "/admin/linked_metadata/linkedmetadata/"


@pytest.fixture
def admin_client(client):
    User.objects.create_superuser("admin", "admin@example.com", "pw-for-tests")
    client.login(username="admin", password="pw-for-tests")
    return client


@pytest.fixture
def stored(tenant):
    return linked_metadata_upsert(
        tenant_id=tenant.uuid,
        linked_object_type="ACCOUNT",
        identifier="A-154321",
        key="pets",
        value={"pet": "dog"},
        actor=TEST_ACTOR,
    )


def add_form(tenant, **changes):
    form = {
        "tenant": str(tenant.uuid),
        "linked_object_type": "ACCOUNT_USER",
        "identifier": "Some.Test@Email.com",
        "key": "prefs",
        "value": '{"theme": "dark"}',
    }
    form.update(changes)
    return form


def test_the_list_shows_each_key_with_its_object(admin_client, stored):
    response = admin_client.get(PAGES)

    assert response.status_code == 200
    assert b"pets" in response.content and b"A-154321" in response.content


def test_saving_a_new_value_bumps_the_version(admin_client, stored):
    response = admin_client.post(f"{PAGES}{stored.pk}/change/", {"value": '{"pet": "cat"}'})

    assert response.status_code == 302
    row = LinkedMetadata.objects.get(pk=stored.pk)
    assert (row.value, row.version) == ({"pet": "cat"}, 2)


def test_a_value_breaking_the_rules_is_refused_with_the_reason(admin_client, stored):
    response = admin_client.post(f"{PAGES}{stored.pk}/change/", {"value": '"' + "x" * 70_000 + '"'})

    assert response.status_code == 200
    assert "at most 65536 bytes" in response.content.decode()
    assert LinkedMetadata.objects.get(pk=stored.pk).version == 1


def test_adding_stores_an_email_identifier_in_lower_case(admin_client, tenant):
    response = admin_client.post(f"{PAGES}add/", add_form(tenant))

    assert response.status_code == 302
    row = LinkedMetadata.objects.get(key="prefs")
    assert (row.identifier, row.value, row.version) == ("some.test@email.com", {"theme": "dark"}, 1)


def test_adding_a_bad_identifier_is_refused_on_that_field(admin_client, tenant):
    response = admin_client.post(f"{PAGES}add/", add_form(tenant, identifier="not an email"))

    assert response.status_code == 200
    assert "identified by an email address" in response.content.decode()
    assert not LinkedMetadata.objects.exists()


def test_adding_a_key_the_object_has_is_refused(admin_client, tenant, stored):
    form = add_form(tenant, linked_object_type="ACCOUNT", identifier="A-154321", key="pets", value="1")

    response = admin_client.post(f"{PAGES}add/", form)

    assert response.status_code == 200
    assert LinkedMetadata.objects.get().value == {"pet": "dog"}


def test_deleting_removes_the_key(admin_client, stored):
    response = admin_client.post(f"{PAGES}{stored.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not LinkedMetadata.objects.exists()
