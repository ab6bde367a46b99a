"""?locale= and Accept-Language: titles as one string chosen by RFC 4647 lookup, on items and lists."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata_service.locales import accept_language_ranges, choose_locale
from tests.conftest import JSON, JSONLD, metadata_body, violation_paths

pytestmark = pytest.mark.django_db

TITLE = {"en": "Sign-in providers", "fr": "Fournisseurs de connexion", "de-CH": "Anmeldedienste"}


@pytest.fixture
def resource(make_metadata):
    return make_metadata(title=TITLE)


def read(api, resource, query="", **headers):
    return api.get(f"/metadatas/{resource.uuid}{query}", **{**JSON, **headers})


def test_locale_renders_the_title_as_one_string_with_its_locale(api, resource):
    response = read(api, resource, "?locale=fr")
    body = response.json()
    assert (body["title"], body["titleLocale"]) == ("Fournisseurs de connexion", "fr")
    assert response["Content-Language"] == "fr"
    assert "Accept-Language" in response["Vary"]


def test_a_more_specific_locale_falls_back_to_its_prefix(api, resource):
    assert read(api, resource, "?locale=fr-CA").json()["titleLocale"] == "fr"
    assert read(api, resource, "?locale=de-CH-1996").json()["titleLocale"] == "de-CH"


def test_a_less_specific_locale_does_not_pick_a_more_specific_title(api, resource):
    assert read(api, resource, "?locale=de").json()["titleLocale"] == "en"  # de-CH is not de


def test_an_unknown_locale_falls_back_to_the_chain_then_the_first_by_name(api, make_metadata, settings):
    resource = make_metadata(title={"it": "Fornitori", "fr": "Fournisseurs"})
    assert read(api, resource, "?locale=ja").json()["titleLocale"] == "fr"
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "TITLE_FALLBACK_LOCALES": ["it", "en"]}
    assert read(api, resource, "?locale=ja").json()["titleLocale"] == "it"


def test_accept_language_is_used_in_preference_order_without_a_locale_parameter(api, resource):
    body = read(api, resource, HTTP_ACCEPT_LANGUAGE="ja;q=0.9, fr-CA, en;q=0.5").json()
    assert body["titleLocale"] == "fr"
    assert read(api, resource, "?locale=en", HTTP_ACCEPT_LANGUAGE="fr").json()["titleLocale"] == "en"


def test_without_locale_or_accept_language_the_title_stays_a_map(api, resource):
    response = read(api, resource)
    assert response.json()["title"] == TITLE and "titleLocale" not in response.json()
    assert "Content-Language" not in response and "Accept-Language" in response["Vary"]


def test_lists_are_localized_and_say_content_language_only_when_all_agree(api, make_metadata):
    make_metadata(title={"en": "One", "fr": "Un"})
    make_metadata(title={"fr": "Deux"})
    response = api.get("/metadatas?locale=fr", **JSON)
    assert [item["title"] for item in response.json()] == ["Un", "Deux"]
    assert response["Content-Language"] == "fr"
    mixed = api.get("/metadatas?locale=en", **JSON)
    assert [item["titleLocale"] for item in mixed.json()] == ["en", "fr"]
    assert "Content-Language" not in mixed


def test_json_ld_items_and_collections_are_localized(api, resource):
    item = api.get(f"/metadatas/{resource.uuid}?locale=fr", **JSONLD).json()
    assert item["title"] == "Fournisseurs de connexion" and item["@id"].endswith(str(resource.uuid))
    collection = api.get("/metadatas?locale=fr", **JSONLD).json()
    assert collection["hydra:member"][0]["titleLocale"] == "fr"


@pytest.mark.parametrize("tag", ["fr_", "123", "en--US", "a", "toolongtag1", "fr CA"])
def test_a_malformed_locale_is_a_400_naming_it(api, resource, tag):
    response = read(api, resource, f"?locale={tag}")
    assert response.status_code == 400 and violation_paths(response) == {"locale"}


def test_a_malformed_accept_language_is_ignored(api, resource):
    assert read(api, resource, HTTP_ACCEPT_LANGUAGE=";;;, fr").json()["titleLocale"] == "fr"


def test_locale_on_a_write_is_a_400(api):
    response = api.post("/metadatas?locale=fr", metadata_body(), format="json")
    assert response.status_code == 400 and violation_paths(response) == {"locale"}


def test_a_metadata_types_title_is_localized_too(api):
    api.post("/metadata-types", {"name": "t", "title": {"en": "Auth", "fr": "Auth FR"}, "schema": {}}, format="json")
    body = api.get("/metadata-types/t?locale=fr-BE", **JSON).json()
    assert (body["title"], body["titleLocale"]) == ("Auth FR", "fr")


def test_the_etag_of_a_localized_read_is_the_version(api, resource):
    assert read(api, resource, "?locale=fr")["ETag"] == '"1"'


# --- Against a reference RFC 4647 lookup ------------------------------------------------------------------------

TAGS = st.sampled_from(["en", "en-US", "en-GB", "fr", "fr-CA", "de", "de-CH", "zh-Hant-TW", "zh", "pt-BR", "x-a"])


def reference_lookup(available, ranges, fallbacks):
    """RFC 4647 §3.4 written out plainly: each range, then truncated from the end (dropping singletons)."""
    lowered = {key.lower(): key for key in sorted(available, reverse=True)}
    for tag in list(ranges) + list(fallbacks):
        parts = tag.lower().split("-")
        while parts:
            if "-".join(parts) in lowered:
                return lowered["-".join(parts)]
            parts = parts[:-1]
            while parts and len(parts[-1]) == 1:
                parts = parts[:-1]
    return min(available) if available else None


@given(
    available=st.sets(TAGS, max_size=5),
    ranges=st.lists(st.one_of(TAGS, st.sampled_from(["en-US-x-priv", "de-CH-1996", "ja", "zh-Hant-TW-a-ext"]))),
    fallbacks=st.lists(TAGS, max_size=2),
)
def test_the_choice_is_what_rfc_4647_lookup_picks(available, ranges, fallbacks):
    assert choose_locale(available, ranges, fallbacks) == reference_lookup(available, ranges, fallbacks)


def test_accept_language_ranges_come_in_quality_order():
    assert accept_language_ranges("fr-CA, fr;q=0.8, en;q=0.5, *;q=0.1, de;q=0") == ["fr-CA", "fr", "en"]
