"""The title filter through the tenant's own substrings (metadatas.title_search, migration 0009)."""

import pytest
from django.db import connection
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metadatas.filters import MetadataFilterSet
from metadatas.models import Metadata, fold_for_search, title_search_text
from tests.conftest import JSON

pytestmark = pytest.mark.django_db


def titles_found(client, term):
    return sorted(item["title"]["en"] for item in client.get("/metadatas", {"title": term}, **JSON).json())


def test_a_title_search_is_answered_from_the_tenants_substring_index(require_postgres, tenant):
    titles = [{"en": f"Ledger {n}" if n % 50 == 0 else f"Journal {n}"} for n in range(5000)]
    rows = [
        Metadata(id=n + 1, tenant=tenant, owner="o", title=t, title_search=title_search_text(t), slug=f"s{n}", type="t")
        for n, t in enumerate(titles)
    ]
    Metadata.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE metadatas_metadata")
    searched = MetadataFilterSet(QueryDict("title=ledger"), queryset=Metadata.objects.for_tenant(tenant.uuid)).qs

    assert "metadata_tenant_title_grams" in searched.explain()


def test_a_title_holding_the_terms_pieces_apart_does_not_match(api, make_metadata):
    make_metadata(title={"en": "abc bcd"})
    make_metadata(title={"en": "xabcdx"})

    assert titles_found(api, "abcd") == ["xabcdx"]


def test_a_term_of_two_characters_matches_inside_a_word(api, make_metadata):
    make_metadata(title={"en": "Maybe"})
    make_metadata(title={"en": "Other"})

    assert titles_found(api, "AY") == ["Maybe"]


def test_each_tenant_finds_its_own_titles_and_no_other_tenants(api, other_api, make_metadata, other_tenant):
    make_metadata(title={"en": "Shared ledger A"})
    make_metadata(tenant=other_tenant, title={"en": "Shared ledger B"})

    for _ in range(2):  # the second time from the statement compiled the first time
        assert titles_found(api, "ledger") == ["Shared ledger A"]
        assert titles_found(other_api, "ledger") == ["Shared ledger B"]


TEXTS = st.text(alphabet="abé ", max_size=8)
TERMS = st.text(alphabet="abé ", min_size=1, max_size=4).filter(lambda term: term.strip() == term)  # as it is sent


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(titles=st.lists(TEXTS, min_size=1, max_size=5), term=TERMS)
def test_the_filter_finds_exactly_the_titles_that_contain_the_term(api, tenant, titles, term):
    Metadata.objects.all().delete()
    for index, title in enumerate(titles):
        Metadata.objects.create(tenant=tenant, owner="o", title={"en": title}, slug=f"s{index}", type="t")

    expected = sorted(title for title in titles if fold_for_search(term) in fold_for_search(title))
    assert titles_found(api, term) == expected
