"""The query parameters of GET /changes and /changes/stream; each bad one is a 400 naming it."""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django import forms
from django.db.models import Q
from rest_framework.exceptions import ValidationError

from changes.models import EventKind
from metadata_service.conf import service_settings
from metadata_service.query_params import canonical_query

LIMIT_DEFAULT, LIMIT_MAX = 100, 1000
WAIT_MAX = 60
SEQ_MAX = 2**63 - 1
OPERATIONS = ("created", "updated", "deleted", "undeleted", "restored", "purged")

# Each filter: its form field, and the column it matches.
FILTERS = {
    "kind": (forms.ChoiceField(choices=EventKind.choices), "kind"),
    "operation": (forms.ChoiceField(choices=[(name, name) for name in OPERATIONS]), "operation"),
    "type": (forms.CharField(max_length=255, strip=False), "type"),
    "owner": (forms.CharField(max_length=255, strip=False), "owner"),
    "uuid": (forms.UUIDField(), "resource_uuid"),
}


@dataclass(frozen=True)
class FeedParameters:
    """``after``, ``limit``, ``wait`` (0: answer at once) and the filters as one condition."""

    after: int | None
    limit: int
    wait: int
    condition: Q


def feed_parameters(params) -> FeedParameters:
    """The feed's parameters from a query string."""
    return FeedParameters(
        after=whole_number(params, "after", 0, SEQ_MAX),
        limit=whole_number(params, "limit", 1, LIMIT_MAX) or LIMIT_DEFAULT,
        wait=whole_number(params, "wait", 1, WAIT_MAX) or 0,
        condition=filter_condition(canonical_query(params, set(FILTERS))),
    )


def whole_number(params, name, least, most):
    """An integer parameter within ``least..most``, None when absent."""
    raw = params.get(name)
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19 or not least <= int(raw) <= most:
        raise ValidationError({name: [f"Must be a whole number from {least} to {most}."]})
    return int(raw)


def filter_condition(params) -> Q:
    """The filters AND'ed, the values of one filter OR'ed."""
    conditions = [Q()]
    for name, (field, column) in FILTERS.items():
        values = [value for value in params.getlist(name) if value != ""]
        if not values:
            continue
        if len(values) > service_settings.FILTER_VALUES_MAX:
            raise ValidationError({name: [f"At most {service_settings.FILTER_VALUES_MAX} values may be given."]})
        try:
            cleaned = [field.clean(value) for value in values]
        except forms.ValidationError as exc:
            raise ValidationError({name: exc.messages}) from None
        conditions.append(reduce(or_, (Q(**{column: value}) for value in cleaned)))
    return reduce(lambda left, right: left & right, conditions)


def last_event_id(request) -> int | None:
    """An SSE client's ``Last-Event-ID`` header (its resume point), None when absent."""
    raw = request.headers.get("Last-Event-ID")
    if raw is None:
        return None
    return whole_number({"Last-Event-ID": raw.strip()}, "Last-Event-ID", 0, SEQ_MAX)
