"""Settings that would quietly cost an index are refused when the service starts (Django's system checks)."""

from metadatas.checks import title_sort_locale_matches_the_index


def test_a_title_locale_that_the_sort_index_does_not_serve_is_refused(settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "TITLE_DEFAULT_LOCALE": "fr"}

    assert [error.id for error in title_sort_locale_matches_the_index(None)] == ["metadatas.E001"]


def test_the_locale_the_sort_index_serves_passes(settings):
    settings.METADATA_SERVICE = {**settings.METADATA_SERVICE, "TITLE_DEFAULT_LOCALE": "en"}

    assert title_sort_locale_matches_the_index(None) == []
