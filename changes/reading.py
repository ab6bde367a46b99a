"""Reading the change feed: which events a caller sees, from which position, and a page of them.

Every page is read below the tenant's ``head`` taken first: the counter's value is raised only by a
committed write (``changes.recording``), and writers of a tenant commit in seq order, so every event up
to ``head`` is committed and visible by then. A page that is not full has seen everything up to ``head``;
its ``next`` is ``head`` even when filters left the last events out.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Min, Q
from rest_framework.exceptions import APIException, ValidationError

from changes.models import ChangeEvent, EventKind
from changes.recording import COUNTER, event_document
from tenants.counters import TenantCounter
from tenants.identity import TokenIdentity
from tenants.permissions import (
    BROWSE,
    MissingPermission,
    browsable_metadata,
    may_attempt_metadata,
    viewable_linked_metadata,
)


class CursorExpired(APIException):
    """The cursor is older than the retention window: relist, then follow from ``head`` (410)."""

    status_code = 410
    default_detail = "Events after this cursor were pruned; list the resources again and follow from head."
    default_code = "cursor_expired"

    def __init__(self, *, oldest: int, head: int):
        super().__init__()
        self.problem_extensions = {"oldest": oldest, "head": head}


@dataclass(frozen=True)
class FeedQuery:
    """What one reader asks of its tenant's feed: the events it may see that match its filters."""

    tenant_id: Any
    condition: Q = field(default_factory=Q)


@dataclass(frozen=True)
class Page:
    events: list[dict]
    next: int
    head: int


def visible_events(identity: TokenIdentity) -> Q:
    """The events the identity may see; a 403 when it may see neither kind (contract changes.md)."""
    kinds = []
    if may_attempt_metadata(identity, BROWSE):
        owners = browsable_metadata(identity)  # Q() for every owner: "Q(redacted=True) | Q()" would drop it
        kinds.append(Q(kind=EventKind.METADATA) & ((Q(redacted=True) | owners) if owners else Q()))
    linked = viewable_linked_metadata(identity)
    if linked is not None:
        kinds.append(Q(kind=EventKind.LINKED_METADATA) & linked)
    if not kinds:
        raise MissingPermission("metadata:browse", "This token may view neither metadata nor linked metadata.")
    return kinds[0] if len(kinds) == 1 else kinds[0] | kinds[1]


def head_of(tenant_id) -> int:
    """The tenant's latest committed seq (0 before its first change)."""
    rows = TenantCounter.objects.filter(tenant_id=tenant_id, name=COUNTER)
    return rows.values_list("value", flat=True).first() or 0


def checked_cursor(tenant_id, after: int, *, parameter: str = "after") -> int:
    """``after`` when it may be followed; 400 naming ``parameter`` (where the cursor came from) beyond head,
    410 before the retention window. Returns head."""
    head = head_of(tenant_id)
    if after > head:
        raise ValidationError({parameter: [f"Must not be beyond the head of the feed ({head})."]})
    if after > 0:
        oldest = ChangeEvent.objects.for_tenant(tenant_id).aggregate(oldest=Min("seq"))["oldest"] or head + 1
        if after < oldest - 1:
            raise CursorExpired(oldest=oldest, head=head)
    return head


def read_page(query: FeedQuery, *, after: int, limit: int) -> Page:
    """Up to ``limit`` events after ``after`` that the query selects, in seq order."""
    head = head_of(query.tenant_id)
    rows = (
        ChangeEvent.objects.for_tenant(query.tenant_id)
        .filter(query.condition, seq__gt=after, seq__lte=head)
        .order_by("seq")
        .only("seq", "body")[:limit]
    )
    events = [event_document(row) for row in rows]
    full = len(events) == limit
    return Page(events=events, next=events[-1]["seq"] if full else max(head, after), head=head)
