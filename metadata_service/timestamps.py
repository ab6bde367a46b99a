"""How the service stamps rows: UTC, to the second (what the APIs show)."""

from datetime import UTC, datetime

from django.utils import timezone


def now_to_the_second():
    """Timestamps are stored as the API shows them: UTC, whole seconds."""
    return timezone.now().replace(microsecond=0)


def utc_seconds(value: datetime | None) -> str | None:
    """The API's form of a time: ISO 8601 in UTC to the second, ``2018-07-18T19:20:17+00:00``."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).isoformat()
