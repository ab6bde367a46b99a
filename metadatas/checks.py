"""System checks of settings the metadata resource depends on (run by manage.py check, migrate, scripts/test)."""

from django.core import checks

from metadata_service.conf import service_settings
from metadatas.models import TITLE_SORT_LOCALE


@checks.register(checks.Tags.models)
def title_sort_locale_matches_the_index(app_configs, **kwargs):
    """``order[title]`` sorts on TITLE_DEFAULT_LOCALE; the index serves TITLE_SORT_LOCALE: they must agree."""
    configured = service_settings.TITLE_DEFAULT_LOCALE
    if configured == TITLE_SORT_LOCALE:
        return []
    return [
        checks.Error(
            f"TITLE_DEFAULT_LOCALE is {configured!r}, but the title sort index serves {TITLE_SORT_LOCALE!r}: "
            "order[title] would sort every tenant's rows without an index.",
            hint=f"Set TITLE_DEFAULT_LOCALE={TITLE_SORT_LOCALE}, or change TITLE_SORT_LOCALE with a migration.",
            id="metadatas.E001",
        )
    ]
