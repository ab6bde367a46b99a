"""GET /metadatas at scale: capped counts with estimates, keyset (cursor) pages, fixed query counts."""

import base64
import json

import pytest

from tests.conftest import JSON

pytestmark = pytest.mark.django_db


def slugs(response):
    return [item["slug"] for item in response.json()]


@pytest.fixture
def cap(settings):
    """Count exactly up to 3 rows."""
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "COUNT_EXACT_MAX": 3}


# --- The total: exact up to the cap, an estimate beyond ---------------------------------------


def test_a_total_within_the_cap_is_exact_and_not_flagged(api, make_metadata, cap):
    for _ in range(3):
        make_metadata()

    response = api.get("/metadatas", **JSON)
    body = api.get("/metadatas").json()

    assert response["X-Total-Count"] == "3"
    assert "X-Total-Count-Estimated" not in response
    assert body["hydra:totalItems"] == 3
    assert "totalItemsEstimated" not in body


def test_a_total_beyond_the_cap_is_the_planners_estimate_and_says_so(api, make_metadata, cap, require_postgres):
    for _ in range(5):
        make_metadata()

    response = api.get("/metadatas?limit=2", **JSON)
    body = api.get("/metadatas?limit=2").json()

    assert response["X-Total-Count-Estimated"] == "true"
    assert int(response["X-Total-Count"]) >= 4  # never below the cap + 1
    assert body["totalItemsEstimated"] is True
    assert body["hydra:totalItems"] >= 4


def test_pages_beyond_an_estimated_total_still_show_their_rows(api, make_metadata, cap, require_postgres):
    for _ in range(9):
        make_metadata()

    response = api.get("/metadatas?limit=2&page=5", **JSON)

    assert slugs(response) == ["resource-9"]


def test_without_planner_statistics_the_total_beyond_the_cap_is_counted(api, make_metadata, cap, monkeypatch):
    monkeypatch.setattr("metadatas.counting.planner_estimate", lambda queryset, key=None: None)
    for _ in range(5):
        make_metadata()

    response = api.get("/metadatas", **JSON)

    assert response["X-Total-Count"] == "5"
    assert "X-Total-Count-Estimated" not in response


# --- Keyset pages ---------------------------------------------------------------------------


def follow(api, path, **headers):
    """Every page from ``path`` on by following the ``next`` links (JSON-LD or the Link header)."""
    pages = []
    while path:
        response = api.get(path, **headers)
        assert response.status_code == 200, response.content
        if headers:
            pages.append([item["slug"] for item in response.json()])
            links = dict(reversed(part.split("; ")) for part in response.get("Link", "").split(", ") if part)
            path = links.get('rel="next"', "").strip("<>").removeprefix("http://testserver") or None
        else:
            body = response.json()
            pages.append([item["slug"] for item in body["hydra:member"]])
            path = body.get("hydra:view", {}).get("hydra:next")
    return pages


def test_a_cursor_walk_in_json_ld_visits_every_row_once_in_order(api, make_metadata):
    for _ in range(5):
        make_metadata()

    pages = follow(api, "/metadatas?cursor=&limit=2")

    assert pages == [["resource-1", "resource-2"], ["resource-3", "resource-4"], ["resource-5"]]


def test_a_cursor_walk_in_plain_json_follows_the_link_header(api, make_metadata):
    for _ in range(5):
        make_metadata()

    pages = follow(api, "/metadatas?cursor=&limit=2", **JSON)

    assert pages == [["resource-1", "resource-2"], ["resource-3", "resource-4"], ["resource-5"]]


def test_a_cursor_page_links_first_and_next_and_keeps_the_filters(api, make_metadata):
    for _ in range(3):
        make_metadata(type="user")

    body = api.get("/metadatas?type=user&cursor=&limit=2").json()

    view = body["hydra:view"]
    assert view["@type"] == "hydra:PartialCollectionView"
    assert view["hydra:first"] == "/metadatas?type=user&cursor=&limit=2"
    assert view["hydra:next"].startswith("/metadatas?type=user&cursor=")
    assert "hydra:last" not in view and "hydra:previous" not in view
    assert body["hydra:totalItems"] == 3


def test_the_last_cursor_page_has_no_next_link(api, make_metadata):
    make_metadata()

    response = api.get("/metadatas?cursor=&limit=2", **JSON)

    assert 'rel="next"' not in response["Link"]
    assert 'rel="first"' in response["Link"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("order[type]=desc", ["c2", "c1", "b2", "b1", "a2", "a1"]),
        ("order[type]=asc&order[id]=desc", ["a2", "a1", "b2", "b1", "c2", "c1"]),
        ("order[owner]=asc&order[type]=desc", ["c1", "b1", "a1", "c2", "b2", "a2"]),
        ("order[createdAt]=desc", ["c2", "b2", "a2", "c1", "b1", "a1"]),
        ("owner=one&order[type]=desc", ["c1", "b1", "a1"]),
    ],
)
def test_a_cursor_walk_follows_filters_and_several_orders(api, make_metadata, query, expected):
    for number, owner in (("1", "one"), ("2", "two")):
        for letter in "abc":
            make_metadata(
                slug=f"{letter}{number}",
                type=letter,
                owner=owner,
                created_at=f"2020-01-0{number}T00:00:{ord(letter) - 90:02d}+00:00",
            )

    pages = follow(api, f"/metadatas?{query}&cursor=&limit=2", **JSON)

    assert [slug for page in pages for slug in page] == expected


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_a_cursor_walk_by_title_places_titles_without_the_locale_as_largest(api, make_metadata, direction):
    make_metadata(slug="b", title={"en": "Banana"})
    make_metadata(slug="none1", title={"fr": "Zzz"})
    make_metadata(slug="a", title={"en": "Apple"})
    make_metadata(slug="none2", title={"de": "Aaa"})

    pages = follow(api, f"/metadatas?order[title]={direction}&cursor=&limit=1", **JSON)

    walked = [slug for page in pages for slug in page]
    assert walked == slugs(api.get(f"/metadatas?order[title]={direction}", **JSON))
    assert walked == (["a", "b", "none1", "none2"] if direction == "asc" else ["none2", "none1", "b", "a"])


def test_rows_added_before_the_cursor_do_not_shift_the_next_page(api, make_metadata):
    for _ in range(4):
        make_metadata()
    next_page = api.get("/metadatas?cursor=&limit=2").json()["hydra:view"]["hydra:next"]

    make_metadata(slug="late")  # sorts last, after the cursor; OFFSET pages would not move either,
    api.delete("/metadatas/" + api.get("/metadatas?slug=resource-1", **JSON).json()[0]["uuid"])  # this would

    assert [item["slug"] for item in api.get(next_page).json()["hydra:member"]] == ["resource-3", "resource-4"]


def encoded(document):
    return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!!",
        "e30",  # {}
        encoded([1, 2]),
        encoded({"o": "000000000000", "v": [1]}),
        "bm90IGpzb24",  # "not json"
    ],
)
def test_an_invalid_cursor_is_a_400_naming_cursor(api, make_metadata, cursor):
    make_metadata()

    response = api.get(f"/metadatas?cursor={cursor}", **JSON)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert [v["propertyPath"] for v in response.json()["violations"]] == ["cursor"]


@pytest.mark.parametrize("value", ["x", None, True, 2**70, [1], "2020-01-01T00:00:00"])
def test_a_cursor_with_values_of_the_wrong_kind_is_a_400_naming_cursor(api, make_metadata, value):
    for _ in range(3):
        make_metadata()
    issued = api.get("/metadatas?order[createdAt]=asc&cursor=&limit=1").json()["hydra:view"]["hydra:next"]
    token = issued.split("cursor=")[1].split("&")[0]
    document = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    document["v"][0] = value

    response = api.get(f"/metadatas?order[createdAt]=asc&cursor={encoded(document)}&limit=1", **JSON)

    assert response.status_code == 400
    assert [v["propertyPath"] for v in response.json()["violations"]] == ["cursor"]


def test_a_cursor_issued_for_another_order_is_a_400_naming_cursor(api, make_metadata):
    for _ in range(3):
        make_metadata()
    next_page = api.get("/metadatas?cursor=&limit=1").json()["hydra:view"]["hydra:next"]

    response = api.get(next_page + "&order[slug]=desc", **JSON)

    assert response.status_code == 400
    assert response.json()["violations"][0]["propertyPath"] == "cursor"


def test_cursor_and_page_together_are_a_400(api):
    response = api.get("/metadatas?cursor=&page=2", **JSON)

    assert response.status_code == 400
    assert response.json()["violations"][0]["propertyPath"] == "cursor"


def test_a_cursor_never_reaches_another_tenants_rows(api, other_api, make_metadata, other_tenant):
    make_metadata(tenant=other_tenant, slug="theirs")
    make_metadata(slug="mine")

    assert follow(api, "/metadatas?cursor=&limit=1", **JSON) == [["mine"]]


# --- Query counts -----------------------------------------------------------------------------


@pytest.fixture
def cached_tenant_states(tenant_cache, require_postgres, api):
    """The tenant registry as in production (shared cache); the first request reads the tenant once."""
    api.get("/metadatas", **JSON)


def test_an_item_read_costs_one_query(api, make_metadata, cached_tenant_states, django_assert_num_queries):
    metadata = make_metadata()
    api.get(f"/metadatas/{make_metadata().uuid}", **JSON)  # the connection's first prepares the statement

    with django_assert_num_queries(1):
        response = api.get(f"/metadatas/{metadata.uuid}", **JSON)

    assert response.status_code == 200


def test_a_list_page_and_its_total_cost_one_query(api, make_metadata, cached_tenant_states, django_assert_num_queries):
    for _ in range(3):
        make_metadata()

    with django_assert_num_queries(1):
        response = api.get("/metadatas?type=authentication&order[title]=asc&limit=2", **JSON)
    assert response["X-Total-Count"] == "3"
    with django_assert_num_queries(1):
        response = api.get("/metadatas?cursor=&limit=2", **JSON)
    assert response["X-Total-Count"] == "3"


def test_a_page_past_the_end_counts_apart(api, make_metadata, cached_tenant_states, django_assert_num_queries):
    make_metadata()

    with django_assert_num_queries(2):
        response = api.get("/metadatas?page=3", **JSON)

    assert response.json() == []
    assert response["X-Total-Count"] == "1"
