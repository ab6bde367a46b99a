"""The title filter's condition: the folded term in ``title_search``, found through the tenant's substrings.

On PostgreSQL the rows are first those whose ``metadata_title_grams`` (migration 0009: the tenant's
3-character substrings of the text, hashed) contain every substring of the term, which the index
``metadata_tenant_title_grams`` answers from the tenant's own posting lists; ``LIKE`` then keeps the rows
that really contain the term. A term of fewer than three characters has no substring to look up, and
SQLite has no such index: there ``LIKE`` alone scans the tenant's rows.
"""

from django.db import connections
from django.db.models import BooleanField, F, Func, Q, TextField, UUIDField, Value

GRAM_LENGTH = 3


class TitleGrams(Func):
    """``metadata_title_grams(tenant, text)``: the set (an integer array) of the tenant's substrings of text."""

    function = "metadata_title_grams"
    output_field = TextField()  # only ever compared by ContainsGrams: its type in Python does not matter


class ContainsGrams(Func):
    """``left @> right``: every substring of the right is one of the left's."""

    template = "(%(expressions)s)"
    arg_joiner = " @> "
    output_field = BooleanField()


def title_contains(rows, term: str) -> Q:
    """The condition "the title contains ``term``" (already folded) on ``rows``, one tenant's queryset."""
    contains = Q(title_search__contains=term)
    tenant_id = rows.scoped_tenant_id
    if len(term) < GRAM_LENGTH or tenant_id is None or connections[rows.db].vendor != "postgresql":
        return contains
    searched = TitleGrams(Value(tenant_id, output_field=UUIDField()), Value(term))
    return contains & Q(ContainsGrams(TitleGrams(F("tenant_id"), F("title_search")), searched))
