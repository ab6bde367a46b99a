"""GET /metadatas: pagination, formats, filters and ordering."""

import uuid
from datetime import UTC, datetime

import pytest

from tests.conftest import JSON

pytestmark = pytest.mark.django_db


def slugs(response):
    return [item["slug"] for item in response.json()]


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# --- Formats and pagination -------------------------------------------------------------


def test_list_in_plain_json_is_a_bare_array_with_count_and_links(api, make_metadata):
    for _ in range(3):
        make_metadata()

    response = api.get("/metadatas?limit=2", **JSON)

    assert response.status_code == 200
    assert [item["slug"] for item in response.json()] == ["resource-1", "resource-2"]
    assert response["X-Total-Count"] == "3"
    assert response["Link"] == (
        '<http://testserver/metadatas?limit=2&page=1>; rel="first", '
        '<http://testserver/metadatas?limit=2&page=2>; rel="last", '
        '<http://testserver/metadatas?limit=2&page=2>; rel="next"'
    )


def test_list_link_header_has_prev_on_later_pages_and_keeps_filters(api, make_metadata):
    for _ in range(5):
        make_metadata(type="user")

    response = api.get("/metadatas?type=user&limit=2&page=2", **JSON)

    links = response["Link"]
    assert '<http://testserver/metadatas?type=user&limit=2&page=1>; rel="prev"' in links
    assert '<http://testserver/metadatas?type=user&limit=2&page=3>; rel="next"' in links
    assert '<http://testserver/metadatas?type=user&limit=2&page=3>; rel="last"' in links


def test_list_in_json_ld_is_a_hydra_collection(api, make_metadata):
    metadata = make_metadata()

    body = api.get("/metadatas").json()

    assert body["@context"] == "/contexts/Metadata"
    assert body["@id"] == "/metadatas"
    assert body["@type"] == "hydra:Collection"
    assert body["hydra:totalItems"] == 1
    assert body["hydra:member"][0]["@id"] == f"/metadatas/{metadata.uuid}"
    assert body["hydra:member"][0]["@type"] == "Metadata"
    assert "@context" not in body["hydra:member"][0]
    assert "hydra:view" not in body


def test_list_in_json_ld_has_a_partial_collection_view_when_paginated(api, make_metadata):
    for _ in range(5):
        make_metadata()

    body = api.get("/metadatas?limit=2&page=2").json()

    assert body["hydra:totalItems"] == 5
    assert body["hydra:view"] == {
        "@type": "hydra:PartialCollectionView",
        "@id": "/metadatas?limit=2&page=2",
        "hydra:first": "/metadatas?limit=2&page=1",
        "hydra:last": "/metadatas?limit=2&page=3",
        "hydra:previous": "/metadatas?limit=2&page=1",
        "hydra:next": "/metadatas?limit=2&page=3",
    }


def test_list_pages_default_to_ten_items(api, make_metadata):
    for _ in range(12):
        make_metadata()

    assert len(api.get("/metadatas", **JSON).json()) == 10
    assert len(api.get("/metadatas?page=2", **JSON).json()) == 2


def test_list_page_past_the_end_is_empty(api, make_metadata):
    make_metadata()

    response = api.get("/metadatas?page=99", **JSON)

    assert response.status_code == 200
    assert response.json() == []
    assert response["X-Total-Count"] == "1"


def test_list_limit_is_capped_at_the_maximum(api, make_metadata, settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "PAGE_SIZE_MAX": 3}
    for _ in range(5):
        make_metadata()

    response = api.get("/metadatas?limit=50", **JSON)

    assert len(response.json()) == 3


@pytest.mark.parametrize("query", ["page=0", "page=-1", "page=abc", "page=1.5", "limit=0", "limit=-5", "limit=ten"])
def test_list_rejects_a_bad_page_or_limit_naming_it(api, query):
    response = api.get(f"/metadatas?{query}", **JSON)

    assert response.status_code == 400
    assert response.json()["violations"][0]["propertyPath"] == query.split("=")[0]


def test_list_answers_an_absurd_page_with_an_empty_page(api, make_metadata):
    make_metadata()

    response = api.get("/metadatas?page=999999999999999999", **JSON)

    assert response.status_code == 200
    assert response.json() == []


# --- Exact filters, in three spellings --------------------------------------------------


@pytest.mark.parametrize(
    "query_for",
    [
        lambda name, a, b: f"{name}={a}",
        lambda name, a, b: f"{name}[]={a}",
        lambda name, a, b: f"{name}[0]={a}",
    ],
    ids=["plain", "brackets", "indexed"],
)
@pytest.mark.parametrize("name", ["owner", "slug", "type"])
def test_list_filters_exactly_by_one_value_in_each_spelling(api, make_metadata, name, query_for):
    make_metadata(**{name: "wanted"})
    make_metadata(**{name: "wanted-not"})

    response = api.get(f"/metadatas?{query_for(name, 'wanted', None)}", **JSON)

    assert [item[name] for item in response.json()] == ["wanted"]


@pytest.mark.parametrize(
    "query",
    ["type[]=user&type[]=group", "type[0]=user&type[1]=group", "type=user&type=group", "type[0]=user&type[]=group"],
)
def test_list_ors_several_values_of_one_filter(api, make_metadata, query):
    make_metadata(type="user")
    make_metadata(type="group")
    make_metadata(type="other")

    response = api.get(f"/metadatas?{query}", **JSON)

    assert sorted(item["type"] for item in response.json()) == ["group", "user"]


def test_list_ands_different_filters(api, make_metadata):
    make_metadata(type="user", owner="Staff")
    make_metadata(type="user", owner="BusinessUnit")
    make_metadata(type="group", owner="Staff")

    response = api.get("/metadatas?type=user&owner=Staff", **JSON)

    assert [(item["type"], item["owner"]) for item in response.json()] == [("user", "Staff")]


def test_list_filters_by_id(api, make_metadata):
    first, second, _ = make_metadata(), make_metadata(), make_metadata()

    response = api.get(f"/metadatas?id[]={first.id}&id[]={second.id}", **JSON)

    assert [item["id"] for item in response.json()] == [first.id, second.id]


def test_list_filters_by_uuid(api, make_metadata):
    wanted, _ = make_metadata(), make_metadata()

    response = api.get(f"/metadatas?uuid={wanted.uuid}", **JSON)

    assert [item["uuid"] for item in response.json()] == [str(wanted.uuid)]


def test_list_filters_by_owner_uuid(api, make_metadata):
    owner_uuid = uuid.uuid4()
    make_metadata(owner_uuid=owner_uuid)
    make_metadata(owner_uuid=uuid.uuid4())
    make_metadata(owner_uuid=None)

    response = api.get(f"/metadatas?ownerUuid[0]={owner_uuid}", **JSON)

    assert [item["ownerUuid"] for item in response.json()] == [str(owner_uuid)]


def test_list_ignores_blank_filter_values(api, make_metadata):
    make_metadata()
    make_metadata()

    response = api.get("/metadatas?owner=&type[]=&id[999999]=", **JSON)

    assert len(response.json()) == 2


def test_list_ignores_unknown_parameters(api, make_metadata):
    make_metadata()

    response = api.get("/metadatas?colour=blue&order[colour]=asc&foo[]=1", **JSON)

    assert response.status_code == 200
    assert len(response.json()) == 1


@pytest.mark.parametrize(
    "query",
    [
        "id=abc",
        "id[]=1&id[]=x",
        "id=0",
        "id=99999999999999999999",
        "uuid=nope",
        "ownerUuid[]=nope",
        "owner=" + "x" * 256,
    ],
)
def test_list_rejects_a_malformed_filter_value_naming_the_parameter(api, query):
    response = api.get(f"/metadatas?{query}", **JSON)

    assert response.status_code == 400
    assert response.json()["violations"][0]["propertyPath"] == query.split("=")[0].split("[")[0]


def test_list_rejects_more_values_than_the_limit(api, settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "FILTER_VALUES_MAX": 3}

    response = api.get("/metadatas?" + "&".join(f"id[]={n}" for n in range(1, 5)), **JSON)

    assert response.status_code == 400
    assert response.json()["violations"][0]["propertyPath"] == "id"


# --- Title: partial, case-insensitive, any locale -----------------------------------------


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("oauth", True),
        ("OAUTH PROV", True),
        ("uth Pro", True),
        ("fournisseurs", True),
        ("ÉLÉMENTS", True),
        ("missing", False),
        ("fr", False),  # a locale key is not title text
    ],
)
def test_list_title_filter_matches_part_of_any_locale_ignoring_case(api, make_metadata, term, found):
    make_metadata(title={"en": "OAuth Providers", "fr": "Fournisseurs OAuth éléments"})

    response = api.get("/metadatas", {"title": term}, **JSON)

    assert len(response.json()) == (1 if found else 0)


@pytest.mark.parametrize(
    ("stored", "term"),
    [("Straße", "STRASSE"), ("ΣΊΣΥΦΟΣ", "σίσυφος"), ("İstanbul", "i̇stanbul"), ("ﬁle", "FILE")],
)
def test_list_title_filter_folds_case_beyond_ascii(api, make_metadata, stored, term):
    make_metadata(title={"de": stored})

    response = api.get("/metadatas", {"title": term}, **JSON)

    assert len(response.json()) == 1


def test_list_title_filter_ors_several_terms(api, make_metadata):
    make_metadata(title={"en": "OAuth Providers"})
    make_metadata(title={"en": "Registration"})
    make_metadata(title={"en": "Other"})

    response = api.get("/metadatas?title[]=oauth&title[]=regis", **JSON)

    assert len(response.json()) == 2


def test_list_title_filter_treats_like_wildcards_literally(api, make_metadata):
    make_metadata(title={"en": "100% sure"})
    make_metadata(title={"en": "1000 sure"})

    response = api.get("/metadatas", {"title": "0%"}, **JSON)

    assert [item["title"]["en"] for item in response.json()] == ["100% sure"]


# --- Dates --------------------------------------------------------------------------------


@pytest.fixture
def three_days(make_metadata):
    make_metadata(slug="d19", created_at=at("2018-07-19T12:00:00"), updated_at=at("2018-07-21T00:00:00"))
    make_metadata(slug="d20", created_at=at("2018-07-20T00:00:00"), updated_at=at("2018-07-21T00:00:00"))
    make_metadata(slug="d21", created_at=at("2018-07-21T08:30:00"), updated_at=at("2018-07-22T00:00:00"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("createdAt[before]=2018-07-20", ["d19", "d20"]),
        ("createdAt[strictly_before]=2018-07-20", ["d19"]),
        ("createdAt[after]=2018-07-20", ["d20", "d21"]),
        ("createdAt[strictly_after]=2018-07-20", ["d21"]),
        ("createdAt[after]=2018-07-19T13:00:00Z&createdAt[before]=2018-07-21T08:30:00%2B00:00", ["d20", "d21"]),
        ("createdAt[before]=2018-07-20T13:19:30.181Z", ["d19", "d20"]),
        ("updatedAt[after]=2018-07-22", ["d21"]),
        ("updatedAt[strictly_before]=2018-07-22T00:00:00Z", ["d19", "d20"]),
    ],
)
def test_list_filters_by_date_with_four_operators(api, three_days, query, expected):
    response = api.get(f"/metadatas?{query}", **JSON)

    assert slugs(response) == expected


@pytest.mark.parametrize("parameter", ["createdAt[before]", "createdAt[strictly_after]", "updatedAt[after]"])
@pytest.mark.parametrize("value", ["yesterday", "2018-13-01", "2018-07-20T25:00:00", "20180720x"])
def test_list_rejects_a_malformed_date_naming_the_parameter(api, parameter, value):
    response = api.get("/metadatas", {parameter: value}, **JSON)

    assert response.status_code == 400
    assert response.json()["violations"][0]["propertyPath"] == parameter


# --- Ordering -----------------------------------------------------------------------------


def test_list_orders_by_id_ascending_by_default(api, make_metadata):
    for _ in range(3):
        make_metadata()

    assert slugs(api.get("/metadatas", **JSON)) == ["resource-1", "resource-2", "resource-3"]


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("slug", ["b", "c", "a"]),
        ("owner", ["Owner-B", "Owner-C", "Owner-A"]),
        ("type", ["type-b", "type-c", "type-a"]),
    ],
)
@pytest.mark.parametrize("direction", ["asc", "desc", "DESC"])
def test_list_orders_by_a_text_field(api, make_metadata, field, values, direction):
    for value in values:
        make_metadata(**{field: value})

    response = api.get(f"/metadatas?order[{field}]={direction}", **JSON)

    ordered = [item[field] for item in response.json()]
    assert ordered == sorted(values, reverse=direction.lower() == "desc")


@pytest.mark.parametrize("parameter", ["createdAt", "updatedAt"])
def test_list_orders_by_a_timestamp(api, make_metadata, parameter):
    field = {"createdAt": "created_at", "updatedAt": "updated_at"}[parameter]
    make_metadata(slug="mid", **{field: at("2020-01-02T00:00:00")})
    make_metadata(slug="late", **{field: at("2020-01-03T00:00:00")})
    make_metadata(slug="early", **{field: at("2020-01-01T00:00:00")})

    assert slugs(api.get(f"/metadatas?order[{parameter}]=asc", **JSON)) == ["early", "mid", "late"]
    assert slugs(api.get(f"/metadatas?order[{parameter}]=desc", **JSON)) == ["late", "mid", "early"]


def test_list_orders_by_id_descending(api, make_metadata):
    for _ in range(3):
        make_metadata()

    assert slugs(api.get("/metadatas?order[id]=desc", **JSON)) == ["resource-3", "resource-2", "resource-1"]


def test_list_orders_by_title_in_the_default_locale(api, make_metadata):
    make_metadata(slug="b", title={"en": "Banana", "fr": "Aaa"})
    make_metadata(slug="none", title={"fr": "Zzz"})
    make_metadata(slug="a", title={"en": "Apple"})

    assert slugs(api.get("/metadatas?order[title]=asc", **JSON)) == ["a", "b", "none"]
    assert slugs(api.get("/metadatas?order[title]=desc", **JSON)) == ["none", "b", "a"]


def test_list_applies_several_orders_in_the_order_given(api, make_metadata):
    make_metadata(slug="u-b", type="user", owner="B")
    make_metadata(slug="g-a", type="group", owner="A")
    make_metadata(slug="u-a", type="user", owner="A")

    assert slugs(api.get("/metadatas?order[owner]=asc&order[type]=desc", **JSON)) == ["u-a", "g-a", "u-b"]
    assert slugs(api.get("/metadatas?order[type]=desc&order[owner]=asc", **JSON)) == ["u-a", "u-b", "g-a"]


def test_list_breaks_ties_by_id(api, make_metadata):
    for _ in range(3):
        make_metadata(type="same")

    assert slugs(api.get("/metadatas?order[type]=asc", **JSON)) == ["resource-1", "resource-2", "resource-3"]


@pytest.mark.parametrize("direction", ["up", "", "ascending"])
def test_list_rejects_an_unknown_direction_naming_the_parameter(api, direction):
    response = api.get(f"/metadatas?order[slug]={direction}", **JSON)

    assert response.status_code == 400
    assert response.json()["violations"][0]["propertyPath"] == "order[slug]"


# --- Cost -----------------------------------------------------------------------------------


def test_list_costs_a_fixed_number_of_queries(api, make_metadata, django_assert_num_queries):
    for _ in range(20):
        make_metadata()

    # tenant check (uncached here: no REDIS_URL), then the page with its capped count
    with django_assert_num_queries(2):
        response = api.get("/metadatas?limit=20&type=authentication&order[title]=asc", **JSON)

    assert len(response.json()) == 20
