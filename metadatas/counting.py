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
_estimates: dict[tuple, tuple] = {}  # (sql, params) or a caller's key -> (expires, rows), per process


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


def total_of_counted(counted, build_queryset, *, estimate_key=None):
    """The total of a page whose rows carried the capped count ``counted`` (None: the page was empty).

    ``build_queryset()`` gives the list's queryset, built only when the count or the estimate needs it;
    ``estimate_key`` (hashable) names that queryset, so that an estimate taken within ``ESTIMATE_SECONDS``
    is found without building and compiling it again.
    """
    cap = service_settings.COUNT_EXACT_MAX
    if counted is not None and counted <= cap:
        return Total(counted)
    known = None if counted is None or estimate_key is None else _known_estimate(estimate_key)
    if known is not None:
        return Total(max(known, cap + 1), estimated=True)
    queryset = build_queryset()
    return beyond_cap(capped(queryset).count() if counted is None else counted, queryset, estimate_key=estimate_key)


def list_total(queryset):
    """The total of ``queryset``: exact up to the cap, else an estimate (never below the cap + 1)."""
    return beyond_cap(capped(queryset).count(), queryset)


def capped(queryset):
    return queryset.order_by()[: service_settings.COUNT_EXACT_MAX + 1]


def beyond_cap(counted, queryset, *, estimate_key=None):
    cap = service_settings.COUNT_EXACT_MAX
    if counted <= cap:
        return Total(counted)
    estimate = planner_estimate(queryset.order_by(), key=estimate_key)
    if estimate is None:  # no planner statistics to ask (SQLite): count them all
        return Total(queryset.order_by().count())
    return Total(max(estimate, cap + 1), estimated=True)


def planner_estimate(queryset, *, key=None):
    """PostgreSQL's estimate of the rows ``queryset`` returns (EXPLAIN, no execution); None elsewhere.

    Kept ``ESTIMATE_SECONDS`` under ``key``, or under the queryset's SQL and parameters."""
    if connections[queryset.db].vendor != "postgresql":
        return None
    if key is None:
        sql, params = queryset.query.sql_with_params()
        key = (sql, tuple(map(str, params)))
    rows = _known_estimate(key)
    if rows is None:
        rows = int(json.loads(queryset.explain(format="json"))[0]["Plan"]["Plan Rows"])
        if len(_estimates) > 1000:
            _estimates.clear()
        _estimates[key] = (time.monotonic() + ESTIMATE_SECONDS, rows)
    return rows


def _known_estimate(key):
    """The estimate kept under ``key`` while it is fresh, else None."""
    cached = _estimates.get(key)
    return cached[1] if cached and cached[0] > time.monotonic() else None
