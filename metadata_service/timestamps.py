"""How the service stamps rows: UTC, to the second (what the APIs show)."""

from django.utils import timezone


def now_to_the_second():
    """Timestamps are stored as the API shows them: UTC, whole seconds."""
    return timezone.now().replace(microsecond=0)
