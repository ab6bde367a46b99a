"""Retention of the change feed: events older than ``CHANGES_RETENTION_HOURS`` are removed by
``python manage.py prune_changes`` (run it from cron, e.g. hourly).

Per tenant, everything up to the newest seq older than the window goes, so what stays is one unbroken run
of seqs (``oldest`` .. ``head``); a cursor below it is a 410. A tenant whose events the JetStream publisher
follows keeps every event it has not published yet.
"""

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from changes.models import ChangeEvent, PublishPosition


def prune_changes(*, hours: int) -> int:
    """Remove the events older than ``hours``; how many were removed."""
    cutoff = timezone.now() - timedelta(hours=hours)
    published = dict(PublishPosition.objects.values_list("tenant_id", "seq"))
    old = ChangeEvent.objects.filter(occurred_at__lt=cutoff).values("tenant_id").annotate(last=Max("seq"))
    removed = 0
    for row in old:
        last = min(row["last"], published.get(row["tenant_id"], row["last"]))
        removed += ChangeEvent.objects.for_tenant(row["tenant_id"]).filter(seq__lte=last).delete()[0]
    return removed
