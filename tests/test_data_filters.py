"""GET /metadatas?data.<path>=value: filters on what data holds, served by a GIN index on PostgreSQL."""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metadatas.models import Metadata
from tests.conftest import JSON, violation_paths

pytestmark = pytest.mark.django_db


def slugs(api, query):
    response = api.get(f"/metadatas?{query}&limit=100", **JSON)
    assert response.status_code == 200, response.content
    return {item["slug"] for item in response.json()}


@pytest.fixture
def documents(make_metadata):
    docs = {
        "github": {"provider": "github", "settings": {"region": "eu"}, "retries": 3},
        "gitlab": {"provider": "gitlab", "settings": {"region": "us"}, "retries": "3"},
        "both": {"provider": ["github", "gitlab"], "enabled": True},
        "off": {"provider": "none", "enabled": False, "note": None},
        "list": ["github"],
    }
    for slug, data in docs.items():
        make_metadata(slug=slug, data=data)
    return docs


def test_a_string_value_matches_equal_strings_and_arrays_holding_it(api, documents):
    assert slugs(api, "data.provider=github") == {"github", "both"}


def test_a_nested_path_matches_the_member_there(api, documents):
    assert slugs(api, "data.settings.region=eu") == {"github"}


def test_a_number_spelling_matches_the_number_and_the_string(api, documents):
    assert slugs(api, "data.retries=3") == {"github", "gitlab"}
    assert slugs(api, "data.retries=3.0") == {"github"}


def test_true_false_and_null_match_their_literals(api, documents):
    assert slugs(api, "data.enabled=true") == {"both"}
    assert slugs(api, "data.enabled=false") == {"off"}
    assert slugs(api, "data.note=null") == {"off"}


def test_values_of_one_path_are_ored_in_every_spelling(api, documents):
    assert slugs(api, "data.provider[]=github&data.provider[]=none") == {"github", "both", "off"}
    assert slugs(api, "data.provider[0]=gitlab&data.provider[1]=none") == {"gitlab", "both", "off"}
    assert slugs(api, "data.provider=gitlab&data.provider=none") == {"gitlab", "both", "off"}


def test_paths_are_anded_and_combine_with_other_filters(api, documents, make_metadata):
    make_metadata(slug="other-type", type="billing", data={"provider": "github", "retries": 3})
    assert slugs(api, "data.provider=github&data.retries=3") == {"github", "other-type"}
    assert slugs(api, "data.provider=github&data.retries=3&type=authentication") == {"github"}


def test_a_path_into_an_array_document_matches_nothing(api, documents):
    assert slugs(api, "data.0=github") == set()


def test_another_tenants_documents_are_never_matched(api, other_tenant, make_metadata, documents):
    make_metadata(tenant=other_tenant, slug="foreign", data={"provider": "github"})
    assert "foreign" not in slugs(api, "data.provider=github")


@pytest.mark.parametrize("key", ["data.a[b]", "data.a]", "data.", "data.a..b", "data.a[x]"])
def test_a_malformed_path_is_a_400_naming_the_parameter(api, key):
    response = api.get("/metadatas", {key: "x"}, **JSON)
    assert response.status_code == 400 and violation_paths(response) == {key}


def test_more_than_ten_paths_is_a_400(api):
    query = "&".join(f"data.p{index}=x" for index in range(11))
    response = api.get(f"/metadatas?{query}", **JSON)
    assert response.status_code == 400 and violation_paths(response) == {"data"}


def test_more_than_a_hundred_values_is_a_400(api):
    query = "&".join(f"data.p[]={index}" for index in range(101))
    response = api.get(f"/metadatas?{query}", **JSON)
    assert response.status_code == 400 and violation_paths(response) == {"data"}


def test_a_data_filter_is_served_by_the_gin_index(require_postgres, tenant):
    rows = [
        Metadata(
            id=n + 1, tenant=tenant, owner="o", title={"en": "t"}, slug=f"s{n}", type="t", data={"provider": f"p{n}"}
        )
        for n in range(5000)
    ]
    Metadata.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE metadatas_metadata")
    queryset = Metadata.objects.for_tenant(tenant.uuid).filter(data__contains={"provider": "p7"})
    plan = queryset.explain()
    assert "metadata_tenant_data_gin" in plan


# --- The filter selects exactly what a predicate over the same data selects -------------------------------------

KEYS = st.sampled_from(["a", "b"])
SCALARS = st.one_of(
    st.sampled_from(["x", "3", "true", "null", ""]),
    st.sampled_from([3, 3.0, -1, 0.5]),
    st.booleans(),
    st.none(),
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=2), max_leaves=5
)
DOCUMENTS = st.one_of(st.dictionaries(KEYS, VALUES, max_size=3), st.lists(VALUES, max_size=2))
QUERY_TEXTS = st.sampled_from(["x", "3", "3.0", "true", "false", "null", "", "-1", "0.5"])
PATHS = st.lists(KEYS, min_size=1, max_size=2).map(tuple)
QUERIES = st.dictionaries(PATHS, st.lists(QUERY_TEXTS, min_size=1, max_size=3), min_size=1, max_size=2)


def json_equal(stored, wanted):
    """JSON equality: booleans are not numbers, numbers compare by value."""
    if isinstance(stored, bool) or isinstance(wanted, bool) or stored is None or wanted is None:
        return type(stored) is type(wanted) and stored == wanted
    if isinstance(stored, (int, float)) and isinstance(wanted, (int, float)):
        return stored == wanted
    return type(stored) is type(wanted) and stored == wanted


def meant(text):
    from metadatas.data_filters import spellings

    return spellings(text)


def selects(data, path, texts):
    node = data
    for name in path:
        if not isinstance(node, dict) or name not in node:
            return False
        node = node[name]
    candidates = [node] + (node if isinstance(node, list) else [])
    return any(
        json_equal(candidate, wanted)
        for candidate in candidates
        if not isinstance(candidate, (dict, list))
        for text in texts
        for wanted in meant(text)
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents=st.lists(DOCUMENTS, min_size=1, max_size=6), query=QUERIES)
def test_the_filter_returns_exactly_what_a_predicate_selects(require_postgres, api, tenant, documents, query):
    Metadata.objects.all().delete()
    for index, data in enumerate(documents):
        Metadata.objects.create(tenant=tenant, owner="o", title={"en": "t"}, slug=f"s{index}", type="t", data=data)
    params = "&".join(f"data.{'.'.join(path)}[]={text}" for path, texts in query.items() for text in texts)
    expected = {
        f"s{index}"
        for index, data in enumerate(documents)
        if all(selects(data, path, texts) for path, texts in query.items())
    }
    assert slugs(api, params) == expected
