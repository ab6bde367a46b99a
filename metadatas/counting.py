"""The total of a list: exact up to a cap, the planner's estimate beyond it.

Counting every matching row on every page is what makes a naive list slow at a million rows.
Counting stops at ``COUNT_EXACT_MAX + 1`` rows; past that, PostgreSQL's own row estimate for the
filtered query is used and the response says the total is an estimate.
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connections


@dataclass(frozen=True)
class Total:
    """How many rows a list has, and whether that number is exact or the planner's estimate."""

    count: int
    estimated: bool = False


def list_total(queryset):
    """The total of ``queryset``: exact up to the cap, else an estimate (never below the cap + 1)."""
    cap = settings.METADATA_SERVICE["COUNT_EXACT_MAX"]
    unordered = queryset.order_by()
    counted = unordered[: cap + 1].count()
    if counted <= cap:
        return Total(counted)
    estimate = planner_estimate(unordered)
    if estimate is None:  # no planner statistics to ask (SQLite): count them all
        return Total(unordered.count())
    return Total(max(estimate, cap + 1), estimated=True)


def planner_estimate(queryset):
    """PostgreSQL's estimate of the rows ``queryset`` returns (EXPLAIN, no execution); None elsewhere."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    plan = json.loads(queryset.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])
