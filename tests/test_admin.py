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
    form = {
        "tenant": str(tenant.uuid),
        "uuid": "cf687347-6bba-4137-b180-9f581f5cba84",
        "owner": "BU",
        "owner_uuid": "",
        "title": '{"en": "Added"}',
        "slug": "added",
        "type": "t",
        "data": "[]",
    }

    response = admin_client.post("/admin/metadatas/metadata/add/", form)

    assert response.status_code == 302
    assert Metadata.objects.get(slug="added").title_search == "added"


def test_the_change_page_shows_title_and_data_as_indented_json(admin_client, make_metadata):
    metadata = make_metadata(title={"en": "Sign-in", "fr": "Connexion"}, data={"providers": ["GitLab"]})

    page = admin_client.get(f"/admin/metadatas/metadata/{metadata.pk}/change/").content.decode()

    assert "{\n  &quot;en&quot;: &quot;Sign-in&quot;,\n  &quot;fr&quot;: &quot;Connexion&quot;\n}" in page
    assert "{\n  &quot;providers&quot;: [\n    &quot;GitLab&quot;\n  ]\n}" in page


def test_the_change_page_shows_the_version_without_a_field_to_edit_it(admin_client, make_metadata):
    metadata = make_metadata()
    Metadata.objects.filter(pk=metadata.pk).update(version=4)

    page = admin_client.get(f"/admin/metadatas/metadata/{metadata.pk}/change/").content.decode()

    assert '<div class="readonly">4</div>' in page
    assert 'name="version"' not in page


@pytest.mark.parametrize(
    ("field", "value", "complaint"),
    [
        ("title", '{"en": "  "}', "en: Must be a non-empty string."),
        ("title", '["Sign-in"]', "Must be an object of locale code to title"),
        ("data", '"just text"', "Must be a JSON object or array."),
        ("slug", "has spaces", "Use only letters, digits and . _ ~ -"),
    ],
)
def test_the_admin_refuses_what_the_api_refuses(admin_client, make_metadata, field, value, complaint):
    metadata = make_metadata()

    form = change_form(metadata, 1, **{field: value})
    response = admin_client.post(f"/admin/metadatas/metadata/{metadata.pk}/change/", form)

    assert response.status_code == 200
    assert complaint in response.content.decode()
    assert Metadata.objects.get(pk=metadata.pk).version == 1


def test_the_list_filters_by_type_and_owner(admin_client, make_metadata):
    make_metadata(slug="kept", type="auth", owner="Team")
    make_metadata(slug="other-type", type="billing", owner="Team")
    make_metadata(slug="other-owner", type="auth", owner="Staff")

    page = admin_client.get("/admin/metadatas/metadata/?type=auth&owner=Team").content.decode()

    assert ">kept<" in page and "other-type" not in page and "other-owner" not in page


def test_the_list_searches_slugs_and_titles_in_any_locale(admin_client, make_metadata):
    make_metadata(slug="sign-in", title={"en": "Providers", "de": "Anbieter für Anmeldung"})
    make_metadata(slug="billing", title={"en": "Invoices"})

    by_title = admin_client.get("/admin/metadatas/metadata/?q=anmeldung").content.decode()
    by_slug = admin_client.get("/admin/metadatas/metadata/?q=billing").content.decode()

    assert ">sign-in<" in by_title and ">billing<" not in by_title
    assert ">billing<" in by_slug and ">sign-in<" not in by_slug
