"""The total of a list: exact up to a cap, the planner's estimate beyond it.

Counting every matching row on every page is what makes a naive list slow at a million rows.
Counting stops at ``COUNT_EXACT_MAX + 1`` rows, inside the page's own query (a scalar subquery that
PostgreSQL runs once), so a page costs one round trip. Past the cap, PostgreSQL's own row estimate
for the filtered query is used (kept a few seconds per query) and the response says it is one.
"""

import json
import time
from dataclasses import dataclass

from django.db import connections
from django.db.models import BigIntegerField
from django.db.models.expressions import RawSQL

from metadata_service.conf import service_settings

TOTAL_ALIAS = "_capped_total"
ESTIMATE_SECONDS = 10
_estimates: dict[tuple, tuple] = {}  # (sql, params) -> (expires, rows), per process


@dataclass(frozen=True)
class Total:
    """How many rows a list has, and whether that number is exact or the planner's estimate."""

    count: int
    estimated: bool = False


def with_capped_total(rows, queryset):
    """``rows`` (a page of ``queryset``) with each row carrying the capped count of all of ``queryset``."""
    sql, params = capped(queryset).values("pk").query.sql_with_params()
    count = RawSQL(f"SELECT COUNT(*) FROM ({sql}) AS capped", params, output_field=BigIntegerField())
    return rows.annotate(**{TOTAL_ALIAS: count})


def total_of_page(page, queryset):
    """The total, from the count a non-empty page carries; a query of its own for an empty page."""
    counted = getattr(page[0], TOTAL_ALIAS) if page else capped(queryset).count()
    return beyond_cap(counted, queryset)


def total_of_counted(counted, build_queryset):
    """The total of a page whose rows carried the capped count ``counted`` (None: the page was empty).

    ``build_queryset()`` gives the list's queryset, built only when the count or the estimate needs it.
    """
    if counted is not None and counted <= service_settings.COUNT_EXACT_MAX:
        return Total(counted)
    queryset = build_queryset()
    return beyond_cap(capped(queryset).count() if counted is None else counted, queryset)


def list_total(queryset):
    """The total of ``queryset``: exact up to the cap, else an estimate (never below the cap + 1)."""
    return beyond_cap(capped(queryset).count(), queryset)


def capped(queryset):
    return queryset.order_by()[: service_settings.COUNT_EXACT_MAX + 1]


def beyond_cap(counted, queryset):
    cap = service_settings.COUNT_EXACT_MAX
    if counted <= cap:
        return Total(counted)
    estimate = planner_estimate(queryset.order_by())
    if estimate is None:  # no planner statistics to ask (SQLite): count them all
        return Total(queryset.order_by().count())
    return Total(max(estimate, cap + 1), estimated=True)


def planner_estimate(queryset):
    """PostgreSQL's estimate of the rows ``queryset`` returns (EXPLAIN, no execution); None elsewhere."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    sql, params = queryset.query.sql_with_params()
    key, now = (sql, tuple(map(str, params))), time.monotonic()
    cached = _estimates.get(key)
    if cached and cached[0] > now:
        return cached[1]
    rows = int(json.loads(queryset.explain(format="json"))[0]["Plan"]["Plan Rows"])
    if len(_estimates) > 1000:
        _estimates.clear()
    _estimates[key] = (now + ESTIMATE_SECONDS, rows)
    return rows
