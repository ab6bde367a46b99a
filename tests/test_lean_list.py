"""The short path of GET /metadatas?page=&limit= (metadatas/list_read.py) answers exactly as the viewset does."""

from datetime import UTC, datetime

import pytest

from metadatas.models import Metadata
from metadatas.views import MetadataViewSet
from tests.conftest import JSON, client_with, token_for

# An Accept header the short path leaves to the viewset (DRF's negotiation), for the same answer.
NEGOTIATED_JSON = {"HTTP_ACCEPT": "application/json;q=1.0, text/plain;q=0.1"}
OWNER_UUID = "c11c546e-bd01-47cf-97da-e25388357b5a"
# Headers whose value differs from one request to the next (the request id, rate-limit counters): compared
# by name only.
PER_REQUEST = ("x-request-id", "ratelimit")


def answer(response):
    """What a client sees: status, body and every header (per-request ones by name only)."""
    headers = {
        name.lower(): None if name.lower().startswith(PER_REQUEST) else value for name, value in response.items()
    }
    return response.status_code, response.content, headers


def both(client, path, **extra):
    """The short path's answer and the viewset's answer to the same request."""
    return answer(client.get(path, **JSON, **extra)), answer(client.get(path, **NEGOTIATED_JSON, **extra))


@pytest.fixture
def rows(make_metadata, other_tenant):
    """Five live resources of two owners, a deleted one, and another tenant's."""
    made = [make_metadata(owner="Mine" if n % 2 else "Theirs", owner_uuid=OWNER_UUID, data={"n": n}) for n in range(5)]
    Metadata.objects.filter(pk=make_metadata().pk).update(deleted_at=datetime(2026, 1, 1, tzinfo=UTC))
    make_metadata(tenant=other_tenant)
    return made


@pytest.mark.parametrize("query", ["", "?page=1&limit=10", "?page=2&limit=2", "?limit=2", "?page=3&limit=2", "?page="])
def test_a_plain_page_answers_as_the_viewset_does(api, rows, query):
    short, negotiated = both(api, f"/metadatas{query}")

    assert short[0] == 200
    assert short == negotiated


def test_a_page_lists_only_the_callers_live_resources_in_id_order(api, rows):
    response = api.get("/metadatas?page=1&limit=10", **JSON)

    assert [item["uuid"] for item in response.json()] == [str(row.uuid) for row in rows]
    assert response["X-Total-Count"] == "5"


def test_a_page_past_the_end_answers_as_the_viewset_does(api, rows):
    short, negotiated = both(api, "/metadatas?page=9&limit=2")

    assert short[1] == b"[]"
    assert short == negotiated


def test_a_page_beyond_any_table_answers_as_the_viewset_does(api, rows):
    short, negotiated = both(api, f"/metadatas?page={10**17}&limit=100")

    assert short[0] == 200
    assert short == negotiated


def test_a_limit_above_the_maximum_is_capped_as_by_the_viewset(api, rows, settings):
    settings.METADATA_SERVICE = {**getattr(settings, "METADATA_SERVICE", {}), "PAGE_SIZE_MAX": 2}

    short, negotiated = both(api, "/metadatas?limit=50")

    assert short[2]["x-total-count"] == "5"
    assert short == negotiated


def test_a_total_beyond_the_exact_count_is_the_viewset_s_estimate(api, rows, settings):
    settings.METADATA_SERVICE = {**getattr(settings, "METADATA_SERVICE", {}), "COUNT_EXACT_MAX": 2}

    short, negotiated = both(api, "/metadatas?limit=2")

    assert short[2]["x-total-count-estimated"] == "true"
    assert short == negotiated


@pytest.mark.parametrize("query", ["?page=0", "?limit=abc", "?page=%C2%B2", "?limit=-1"])
def test_a_malformed_page_parameter_is_the_viewset_s_400(api, rows, query):
    short, negotiated = both(api, f"/metadatas{query}")

    assert short[0] == 400
    assert short == negotiated


def test_an_owner_scoped_browse_token_pages_as_the_viewset_does(tenant, rows):
    browser = client_with(
        token_for(tenant.uuid, identity_type="Individual", permissions=[f"metadata:browse@Mine:{OWNER_UUID}"])
    )

    short, negotiated = both(browser, "/metadatas?limit=10")

    assert short[2]["x-total-count"] == "2"
    assert short == negotiated


def test_two_owner_scopes_do_not_share_a_compiled_page(tenant, rows):
    theirs = client_with(
        token_for(tenant.uuid, identity_type="Individual", permissions=[f"metadata:browse@Theirs:{OWNER_UUID}"])
    )
    mine = client_with(
        token_for(tenant.uuid, identity_type="Individual", permissions=[f"metadata:browse@Mine:{OWNER_UUID}"])
    )

    assert theirs.get("/metadatas", **JSON)["X-Total-Count"] == "3"
    assert mine.get("/metadatas", **JSON)["X-Total-Count"] == "2"


def test_a_token_without_browse_is_the_viewset_s_403(tenant, rows):
    reader = client_with(token_for(tenant.uuid, identity_type="Individual", permissions=["metadata:read"]))

    short, negotiated = both(reader, "/metadatas")

    assert short[0] == 403
    assert short == negotiated


def test_a_missing_or_bad_token_is_the_viewset_s_401(client, rows):
    for credentials in ({}, {"HTTP_AUTHORIZATION": "Bearer garbage"}):
        short, negotiated = both(client, "/metadatas", **credentials)
        assert short[0] == 401
        assert short == negotiated


def test_another_tenants_page_shows_none_of_this_tenants_rows(other_api, rows):
    response = other_api.get("/metadatas", **JSON)

    assert [item["tenant"] for item in response.json()] == [
        str(Metadata.objects.exclude(tenant=rows[0].tenant).get().tenant_id)
    ]
    assert response["X-Total-Count"] == "1"


def test_a_page_over_the_rate_is_the_viewset_s_429(api, rows, two_per_minute_per_token):
    assert [api.get("/metadatas", **JSON).status_code for _ in range(2)] == [200, 200]

    short, negotiated = api.get("/metadatas", **JSON), api.get("/metadatas", **NEGOTIATED_JSON)

    assert short.status_code == 429
    assert (short.status_code, short.content) == (negotiated.status_code, negotiated.content)


@pytest.fixture
def viewset_lists(monkeypatch):
    """How many list requests the viewset itself answered."""
    answered = []
    original = MetadataViewSet.list

    def counted(self, request, *args, **kwargs):
        answered.append(request.get_full_path())
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(MetadataViewSet, "list", counted)
    return answered


@pytest.mark.parametrize(
    "query",
    [
        "?type[]=authentication",
        "?type=authentication&type=other",
        "?id=1",
        "?createdAt[after]=2020-01-01",
        "?page=1&page=2",
        "?order[id]=desc",
        "?cursor=",
        "?locale=en",
        "?page=1&properties[]=uuid",
        "?deleted=true",
    ],
)
def test_other_parameters_are_answered_by_the_viewset(api, rows, query, viewset_lists):
    assert api.get(f"/metadatas{query}", **JSON).status_code == 200
    assert len(viewset_lists) == 1


def test_json_ld_and_accept_language_are_answered_by_the_viewset(api, rows, viewset_lists):
    assert api.get("/metadatas", HTTP_ACCEPT="application/ld+json").status_code == 200
    assert api.get("/metadatas", **JSON, HTTP_ACCEPT_LANGUAGE="fr").status_code == 200
    assert len(viewset_lists) == 2


@pytest.mark.parametrize("query", ["?page=1&limit=2", "?type=authentication", "?owner=Mine&title=resource&limit=1"])
def test_a_plain_or_filtered_page_is_answered_without_the_viewset(api, rows, query, viewset_lists):
    assert api.get(f"/metadatas{query}", **JSON).status_code == 200
    assert viewset_lists == []


@pytest.mark.parametrize(
    "query",
    [
        "?type=authentication",
        "?type=nothing-of-this-type",
        "?owner=Mine",
        "?owner=Mine&page=2&limit=1",
        "?slug=resource-3",
        "?title=RESOURCE",
        "?title=resource%201&owner=Theirs",
        "?title=",
        "?type=authentication&limit=2&page=3",
    ],
)
def test_a_filtered_page_answers_as_the_viewset_does(api, rows, query):
    short, negotiated = both(api, f"/metadatas{query}")

    assert short[0] == 200
    assert short == negotiated


def test_a_filtered_page_lists_only_the_matching_resources(api, rows):
    response = api.get("/metadatas?owner=Mine", **JSON)

    assert [item["uuid"] for item in response.json()] == [str(row.uuid) for row in rows if row.owner == "Mine"]
    assert response["X-Total-Count"] == "2"


def test_pages_of_different_filter_values_do_not_share_a_compiled_page(api, rows):
    assert api.get("/metadatas?owner=Mine", **JSON)["X-Total-Count"] == "2"
    assert api.get("/metadatas?owner=Theirs", **JSON)["X-Total-Count"] == "3"
    assert api.get("/metadatas?owner=Mine", **JSON)["X-Total-Count"] == "2"


@pytest.mark.parametrize("query", [f"?title={'x' * 256}", f"?type={'x' * 256}", f"?owner={'x' * 256}&page=0"])
def test_a_malformed_filter_value_is_the_viewset_s_400(api, rows, query):
    short, negotiated = both(api, f"/metadatas{query}")

    assert short[0] == 400
    assert short == negotiated


def test_another_tenants_filtered_page_shows_none_of_this_tenants_rows(other_api, rows):
    response = other_api.get("/metadatas?type=authentication", **JSON)

    assert [item["tenant"] for item in response.json()] == [
        str(Metadata.objects.exclude(tenant=rows[0].tenant).get().tenant_id)
    ]


def test_an_owner_scoped_browse_token_filters_as_the_viewset_does(tenant, rows):
    browser = client_with(
        token_for(tenant.uuid, identity_type="Individual", permissions=[f"metadata:browse@Mine:{OWNER_UUID}"])
    )

    short, negotiated = both(browser, "/metadatas?type=authentication")

    assert short[2]["x-total-count"] == "2"
    assert short == negotiated


@pytest.mark.parametrize(("query", "total"), [("?page=2&limit=2", "5"), ("?owner=Theirs&limit=2", "3")])
def test_a_plain_or_filtered_page_and_its_total_cost_one_query(
    api, rows, tenant_cache, require_postgres, django_assert_num_queries, query, total
):
    api.get("/metadatas", **JSON)  # the tenant's state is now cached

    with django_assert_num_queries(1):
        response = api.get(f"/metadatas{query}", **JSON)

    assert response["X-Total-Count"] == total


def test_a_total_beyond_the_exact_count_asks_the_planner_once_in_a_while(
    api, rows, settings, tenant_cache, require_postgres, django_assert_num_queries
):
    settings.METADATA_SERVICE = {**getattr(settings, "METADATA_SERVICE", {}), "COUNT_EXACT_MAX": 2}
    first = api.get("/metadatas?limit=2&owner=Theirs", **JSON)  # the page, then the planner's estimate

    with django_assert_num_queries(1):
        again = api.get("/metadatas?limit=2&owner=Theirs&page=2", **JSON)

    assert again["X-Total-Count"] == first["X-Total-Count"]
    assert again["X-Total-Count-Estimated"] == "true"
